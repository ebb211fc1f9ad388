// Gradient of a 3x3 stride-1 convolution with respect to its filter by Winograd's F(3x3, 4x4), the
// transpose of the forward F(4x4, 3x3) in winograd4.c, as winograd_filter_grad.c is of F(2x2, 3x3):
//
//   dg = G^T [ sum over tiles of (A dY A^T) . V ] G
//
// with V = B^T d B of each tile's 6x6 input patch, dY its 4x4 output gradient, and the sum over all
// N x ceil(Ho/4) x ceil(Wo/4) tiles taken per position xi of the 6x6 (36 matrix products over the tiles,
// Ci x Co each): 36 multiply-adds per tile of 16 outputs and channel pair, where F(3x3, 2x2) does 64 and the
// direct sum 144. B^T, G and A^T are winograd4.c's; A has rows (1,0,0,0), (1,1,1,1), (1,-1,1,-1), (1,2,4,8),
// (1,-2,4,-8), (0,0,0,1), and G^T rows (1/4, -1/6, -1/6, 1/24, 1/24, 0), (0, -1/6, 1/6, 1/12, -1/12, 0),
// (0, -1/6, -1/6, 1/6, 1/6, 1).
//
// Blocking, chunks and threads as in winograd_filter_grad.c: a block's V (36 x TB x Ci) and D (36 x TB x Co)
// stay in L2 while the 4x8 channel tiles of the 36 products sweep them; the tiles are cut into a number of
// chunks fixed by the sizes (wgf4_chunks), each summed in order into accumulators of its own and added in
// chunk order by wgf4_finish, so the bits do not depend on the thread count. x must hold every tile's 6x6
// patch (conv_pad to 4*ceil(Ho/4)+2 rows and columns, as for wg4_run); dY outside Ho x Wo counts as zero.
// No stack, no static data (see filter_grad.c).

#include "winograd4.h"

// Tiles per block: V and D of a block are 36*TB*(Ci+Co) floats, about 256 KB (at least 8 tiles, at most 64).
__attribute__((export_name("wgf4_block"))) int wgf4_block(int Ci, int Co) {
  const int tb = 1820 / (Ci + Co);
  return tb < 8 ? 8 : tb > 64 ? 64 : tb;
}

static inline int d4Stride(int TB, int Co) { return TB * Co + 16; }

// Bytes of scratch one wgf4_run call needs: V and D of one block.
__attribute__((export_name("wgf4_scratch"))) int wgf4_scratch(int Ci, int Co) {
  const int TB = wgf4_block(Ci, Co);
  return 4 * (36 * (vStride(TB, Ci) + d4Stride(TB, Co)) + 36 * Ci);  // V, D and a border tile's patch
}

// Chunks of tiles (each with 36*Ci*Co floats of accumulators): at least 32 tiles each, at most 8, and at
// most 16 MB of accumulators. A function of the sizes only, never of the thread count.
__attribute__((export_name("wgf4_chunks"))) int wgf4_chunks(int tiles, int Ci, int Co) {
  int p = tiles / 32;
  const int byMemory = (16 << 20) / (144 * Ci * Co);
  if (p > 8) p = 8;
  if (p > byMemory) p = byMemory;
  return p < 1 ? 1 : p;
}

// A applied to (y0..y3): the 6 values of one row (or column) of A y.
#define A6(y0, y1, y2, y3, o)                                                                               \
  do {                                                                                                      \
    const v128_t e = wasm_f32x4_add(y0, y2), f = wasm_f32x4_add(y1, y3);                                    \
    const v128_t g = wasm_f32x4_add(y0, wasm_f32x4_mul(y2, wasm_f32x4_splat(4.f)));                         \
    const v128_t h = wasm_f32x4_add(wasm_f32x4_mul(y1, wasm_f32x4_splat(2.f)), wasm_f32x4_mul(y3, wasm_f32x4_splat(8.f))); \
    o[0] = y0;                                                                                              \
    o[1] = wasm_f32x4_add(e, f);                                                                            \
    o[2] = wasm_f32x4_sub(e, f);                                                                            \
    o[3] = wasm_f32x4_add(g, h);                                                                            \
    o[4] = wasm_f32x4_sub(g, h);                                                                            \
    o[5] = y3;                                                                                              \
  } while (0)

// D[xi][k][co..co+3] = (A dY A^T)[xi] for tile k from its 4x4 output gradient at g, of which the first
// `rows` rows and `cols` columns lie inside dY (the others are zero).
static inline void gradTile4(const float *g, float *D, int k, int TB, int Co, int gRow, int rows, int cols) {
  const v128_t z = wasm_f32x4_splat(0.f);
  float *d = D + k * Co;
  const int ds = d4Stride(TB, Co);
  for (int co = 0; co < Co; co += 4) {
    const float *p = g + co;
    v128_t t[4][6]; // t[j] = column j of A dY
#pragma clang loop unroll(full)
    for (int j = 0; j < 4; j++) {
#define L(i) (i < rows && j < cols ? wasm_v128_load(p + (i) * gRow + j * Co) : z)
      A6(L(0), L(1), L(2), L(3), t[j]);
#undef L
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < 6; i++) {
      v128_t o[6];
      A6(t[0][i], t[1][i], t[2][i], t[3][i], o);
#pragma clang loop unroll(full)
      for (int j = 0; j < 6; j++) wasm_v128_store(d + co + (6 * i + j) * ds, o[j]);
    }
  }
}

// Chunks [c0, c1) of p: chunk c's accumulators, 36*Ci*Co floats at acc + c*36*Ci*Co, get the sum over its
// tiles. x [N,H,W,Ci] unpadded (pt rows and pl columns of zeros before it: tilePatch), dy [N,Ho,Wo,Co];
// scratch: wgf4_scratch bytes of this call's own. Ci a multiple of 4, Co of 8.
static inline __attribute__((always_inline)) void wgf4_chunk_sums(const float *x, const float *dy, float *acc,
                                                                  float *scratch, int c0, int c1, int p, int N, int H,
                                                                  int W, int pt, int pl, const int Ci, int Ho, int Wo,
                                                                  const int Co) {
  const int TH = (Ho + 3) / 4, TW = (Wo + 3) / 4, tiles = N * TH * TW, TB = wgf4_block(Ci, Co);
  const int vs = vStride(TB, Ci), ds = d4Stride(TB, Co), gRow = Wo * Co;
  float *V = scratch, *D = scratch + 36 * vs, *patch = D + 36 * ds;
  for (int c = c0; c < c1; c++) {
    float *M = acc + c * 36 * Ci * Co;
    for (int i = 0; i < 36 * Ci * Co; i++) M[i] = 0.f;
    const int t0 = chunkStart(c, p, tiles), t1 = chunkStart(c + 1, p, tiles);
    int n = t0 / (TH * TW), th = (t0 / TW) % TH, tw = t0 % TW;
    for (int tb = t0; tb < t1; tb += TB) {
      const int nt = t1 - tb < TB ? t1 - tb : TB;
      for (int k = 0; k < nt; k++) {
        const float *d = tilePatch(x, patch, n, 4 * th - pt, 4 * tw - pl, 6, H, W, Ci);
        inputTile6(d, V, k, TB, Ci, d == patch ? 6 * Ci : W * Ci);
        const int rows = Ho - 4 * th < 4 ? Ho - 4 * th : 4, cols = Wo - 4 * tw < 4 ? Wo - 4 * tw : 4;
        gradTile4(dy + ((n * Ho + 4 * th) * Wo + 4 * tw) * Co, D, k, TB, Co, gRow, rows, cols);
        if (++tw == TW) {
          tw = 0;
          if (++th == TH) th = 0, n++;
        }
      }
      for (int xi = 0; xi < 36; xi++) {
        const float *Vx = V + xi * vs, *Dx = D + xi * ds;
        float *Mx = M + xi * Ci * Co;
        for (int ci = 0; ci < Ci; ci += 4)
          for (int co = 0; co < Co; co += 8) accumulate4x8(Vx + ci, Dx + co, Mx + ci * Co + co, Ci, Co, nt);
      }
    }
  }
}

// wgf4_chunk_sums for the channel counts compiled in (WG4_CHANNEL_COUNTS in winograd4.h): 2 threads, 5-10 %
// faster.
__attribute__((export_name("wgf4_run"))) void wgf4_run(const float *x, const float *dy, float *acc, float *scratch, int c0,
                                                       int c1, int p, int N, int H, int W, int pt, int pl, int Ci, int Ho,
                                                       int Wo, int Co) {
#define WGF4(CI, CO) wgf4_chunk_sums(x, dy, acc, scratch, c0, c1, p, N, H, W, pt, pl, CI, Ho, Wo, CO)
  WG4_CHANNEL_COUNTS(WGF4, Ci, Co);
#undef WGF4
}

// G^T applied to (m0..m5): the 3 values of one row (or column) of G^T m.
#define GT3(m0, m1, m2, m3, m4, m5, o)                                                                      \
  do {                                                                                                      \
    const v128_t s12 = wasm_f32x4_add(m1, m2), s34 = wasm_f32x4_add(m3, m4);                                \
    const v128_t sixth = wasm_f32x4_splat(1.f / 6.f);                                                       \
    o[0] = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_mul(m0, wasm_f32x4_splat(0.25f)), wasm_f32x4_mul(s12, sixth)), \
                          wasm_f32x4_mul(s34, wasm_f32x4_splat(1.f / 24.f)));                               \
    o[1] = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sub(m2, m1), sixth),                                    \
                          wasm_f32x4_mul(wasm_f32x4_sub(m3, m4), wasm_f32x4_splat(1.f / 12.f)));            \
    o[2] = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sub(s34, s12), sixth), m5);                             \
  } while (0)

// dw[kh][kw][ci][co] (HWIO) for input channels [ci0, ci1): the p chunks' accumulators added in chunk
// order, then G^T M G.
__attribute__((export_name("wgf4_finish"))) void wgf4_finish(const float *acc, float *dw, int p, int ci0, int ci1, int Ci,
                                                             int Co) {
  const int xs = Ci * Co;
  for (int ci = ci0; ci < ci1; ci++)
    for (int co = 0; co < Co; co += 4) {
      const float *a = acc + ci * Co + co;
      v128_t t[6][3]; // t[i] = row i of M G
#pragma clang loop unroll(full)
      for (int i = 0; i < 6; i++) {
        v128_t m[6];
#pragma clang loop unroll(full)
        for (int j = 0; j < 6; j++) {
          const float *q = a + (6 * i + j) * xs;
          v128_t s = wasm_v128_load(q);
          for (int c = 1; c < p; c++) s = wasm_f32x4_add(s, wasm_v128_load(q + c * 36 * xs));
          m[j] = s;
        }
        GT3(m[0], m[1], m[2], m[3], m[4], m[5], t[i]);
      }
#pragma clang loop unroll(full)
      for (int j = 0; j < 3; j++) {
        v128_t o[3];
        GT3(t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j], o);
#pragma clang loop unroll(full)
        for (int i = 0; i < 3; i++) wasm_v128_store(dw + ((i * 3 + j) * Ci + ci) * Co + co, o[i]);
      }
    }
}
