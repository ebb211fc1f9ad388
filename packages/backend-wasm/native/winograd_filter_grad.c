// Gradient of a 3x3 stride-1 convolution with respect to its filter by Winograd's F(3x3, 2x2), the
// transpose of the forward F(2x2, 3x3) in winograd.c. NHWC input and output gradient, HWIO filter
// gradient, wasm SIMD128.
//
// The forward computes each 2x2 output tile as Y = A^T [U . V] A with U = G g G^T and V = B^T d B, so
//
//   dg = G^T [ sum over tiles of (A dY A^T) . V ] G
//
// with the sum over all N x ceil(Ho/2) x ceil(Wo/2) tiles taken per position xi of the 4x4 (16 matrix
// products over the tiles, Ci x Co each). That is 16 multiply-adds per tile and channel pair where the
// direct sum (filter_grad.c) does 36; both run the same 4x8 register tile at the FMA unit's rate.
//
// Tiles go in blocks of TB: a block's V (16 x TB x Ci) and dY transforms D (16 x TB x Co) stay in L2 while
// every 4x8 channel tile of the 16 products sweeps them, adding into the accumulators M (16 x Ci x Co).
// To keep the bits independent of the thread count, the tiles are cut into a number of chunks that
// depends only on the sizes (wgf_chunks); each chunk sums its tiles in order into M of its own, and
// wgf_finish adds the chunks' M in chunk order before the output transform. Threads take whole chunks.
// x must hold every tile's 4x4 patch (conv_pad to 2*ceil(Ho/2)+2 rows and columns, as for wg_run); dY
// outside Ho x Wo counts as zero. Same memory rules as filter_grad.c: no stack, no static data.

#include "winograd.h"

// Tiles per block: V and D of a block are 16*TB*(Ci+Co) floats, 256 KB at most for TB >= 16.
__attribute__((export_name("wgf_block"))) int wgf_block(int Ci, int Co) {
  const int tb = 4096 / (Ci + Co);
  return tb < 16 ? 16 : tb > 64 ? 64 : tb;
}

static inline int dStride(int TB, int Co) { return TB * Co + 16; }

// Bytes of scratch one wgf_run call needs: V and D of one block.
__attribute__((export_name("wgf_scratch"))) int wgf_scratch(int Ci, int Co) {
  const int TB = wgf_block(Ci, Co);
  return 4 * (16 * (vStride(TB, Ci) + dStride(TB, Co)) + 16 * Ci);  // V, D and a border tile's patch
}

// Chunks of tiles (each with 16*Ci*Co floats of accumulators): at least 64 tiles each, at most 8, and at
// most 16 MB of accumulators. A function of the sizes only, never of the thread count.
__attribute__((export_name("wgf_chunks"))) int wgf_chunks(int tiles, int Ci, int Co) {
  int p = tiles / 64;
  const int byMemory = (16 << 20) / (64 * Ci * Co);
  if (p > 8) p = 8;
  if (p > byMemory) p = byMemory;
  return p < 1 ? 1 : p;
}

// D[xi][k][co..co+3] = (A dY A^T)[xi] for tile k from its 2x2 output gradient at g (a, b / c, d; the
// ones outside the output, `right` / `bottom` 0, are zero). A has rows (1,0), (1,1), (1,-1), (0,-1).
static inline void gradTile(const float *g, float *D, int k, int TB, int Co, int gRow, int right, int bottom) {
  const v128_t z = wasm_f32x4_splat(0.f);
  float *d = D + k * Co;
  const int ds = dStride(TB, Co);
  for (int co = 0; co < Co; co += 4) {
    const float *p = g + co;
    const v128_t a = wasm_v128_load(p), b = right ? wasm_v128_load(p + Co) : z;
    const v128_t c = bottom ? wasm_v128_load(p + gRow) : z, e = right && bottom ? wasm_v128_load(p + gRow + Co) : z;
    // Rows of A dY: (a, b), (a+c, b+d), (a-c, b-d), (-c, -d); then each row (p, q) to (p, p+q, p-q, -q).
    const v128_t r[4][2] = {{a, b}, {wasm_f32x4_add(a, c), wasm_f32x4_add(b, e)}, {wasm_f32x4_sub(a, c), wasm_f32x4_sub(b, e)},
                            {wasm_f32x4_neg(c), wasm_f32x4_neg(e)}};
    for (int i = 0; i < 4; i++) {
      float *row = d + co + 4 * i * ds;
      wasm_v128_store(row, r[i][0]);
      wasm_v128_store(row + ds, wasm_f32x4_add(r[i][0], r[i][1]));
      wasm_v128_store(row + 2 * ds, wasm_f32x4_sub(r[i][0], r[i][1]));
      wasm_v128_store(row + 3 * ds, wasm_f32x4_neg(r[i][1]));
    }
  }
}

// Chunks [c0, c1) of p: chunk c's accumulators, 16*Ci*Co floats at acc + c*16*Ci*Co, get the sum over its
// tiles. x [N,H,W,Ci] unpadded (pt rows and pl columns of zeros before it: tilePatch), dy [N,Ho,Wo,Co];
// scratch: wgf_scratch bytes of this call's own. Ci a multiple of 4, Co of 8.
__attribute__((export_name("wgf_run"))) void wgf_run(const float *x, const float *dy, float *acc, float *scratch, int c0, int c1,
                                                     int p, int N, int H, int W, int pt, int pl, int Ci, int Ho, int Wo,
                                                     int Co) {
  const int TH = (Ho + 1) / 2, TW = (Wo + 1) / 2, tiles = N * TH * TW, TB = wgf_block(Ci, Co);
  const int vs = vStride(TB, Ci), ds = dStride(TB, Co), gRow = Wo * Co;
  float *V = scratch, *D = scratch + 16 * vs, *patch = D + 16 * ds;
  for (int c = c0; c < c1; c++) {
    float *M = acc + c * 16 * Ci * Co;
    for (int i = 0; i < 16 * Ci * Co; i++) M[i] = 0.f;
    const int t0 = chunkStart(c, p, tiles), t1 = chunkStart(c + 1, p, tiles);
    int n = t0 / (TH * TW), th = (t0 / TW) % TH, tw = t0 % TW;
    for (int tb = t0; tb < t1; tb += TB) {
      const int nt = t1 - tb < TB ? t1 - tb : TB;
      for (int k = 0; k < nt; k++) {
        const float *d = tilePatch(x, patch, n, 2 * th - pt, 2 * tw - pl, 4, H, W, Ci);
        inputTile(d, V, k, TB, Ci, d == patch ? 4 * Ci : W * Ci);
        gradTile(dy + ((n * Ho + 2 * th) * Wo + 2 * tw) * Co, D, k, TB, Co, gRow, 2 * tw + 1 < Wo, 2 * th + 1 < Ho);
        if (++tw == TW) {
          tw = 0;
          if (++th == TH) th = 0, n++;
        }
      }
      for (int xi = 0; xi < 16; xi++) {
        const float *Vx = V + xi * vs, *Dx = D + xi * ds;
        float *Mx = M + xi * Ci * Co;
        for (int ci = 0; ci < Ci; ci += 4)
          for (int co = 0; co < Co; co += 8) accumulate4x8(Vx + ci, Dx + co, Mx + ci * Co + co, Ci, Co, nt);
      }
    }
  }
}

// dw[kh][kw][ci][co] (HWIO) for input channels [ci0, ci1): the p chunks' accumulators added in chunk
// order, then G^T M G. G^T has rows (1, 1/2, 1/2, 0), (0, 1/2, -1/2, 0), (0, 1/2, 1/2, 1).
__attribute__((export_name("wgf_finish"))) void wgf_finish(const float *acc, float *dw, int p, int ci0, int ci1, int Ci, int Co) {
  const v128_t half = wasm_f32x4_splat(0.5f);
  const int xs = Ci * Co;
  for (int ci = ci0; ci < ci1; ci++)
    for (int co = 0; co < Co; co += 4) {
      const float *a = acc + ci * Co + co;
      // t[i][j]: row i of M times G (its 4 columns to 3).
      v128_t t[4][3];
      for (int i = 0; i < 4; i++) {
        v128_t m[4];
        for (int j = 0; j < 4; j++) {
          const float *q = a + (4 * i + j) * xs;
          v128_t s = wasm_v128_load(q);
          for (int c = 1; c < p; c++) s = wasm_f32x4_add(s, wasm_v128_load(q + c * 16 * xs));
          m[j] = s;
        }
        const v128_t h12 = wasm_f32x4_mul(wasm_f32x4_add(m[1], m[2]), half);
        t[i][0] = wasm_f32x4_add(m[0], h12);
        t[i][1] = wasm_f32x4_mul(wasm_f32x4_sub(m[1], m[2]), half);
        t[i][2] = wasm_f32x4_add(h12, m[3]);
      }
      for (int j = 0; j < 3; j++) {
        const v128_t h12 = wasm_f32x4_mul(wasm_f32x4_add(t[1][j], t[2][j]), half);
        wasm_v128_store(dw + ((0 * 3 + j) * Ci + ci) * Co + co, wasm_f32x4_add(t[0][j], h12));
        wasm_v128_store(dw + ((1 * 3 + j) * Ci + ci) * Co + co, wasm_f32x4_mul(wasm_f32x4_sub(t[1][j], t[2][j]), half));
        wasm_v128_store(dw + ((2 * 3 + j) * Ci + ci) * Co + co, wasm_f32x4_add(h12, t[3][j]));
      }
    }
}
