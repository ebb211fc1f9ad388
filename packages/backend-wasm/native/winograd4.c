// 3x3 stride-1 convolution by Winograd's F(4x4, 3x3) (Lavin & Gray 2016), NHWC input, HWIO filter, optional
// bias, residual and ReLU, on wasm SIMD128.
//
// Why: F(2x2, 3x3) (winograd.c) spends 16 multiply-adds per channel pair on 4 outputs; F(4x4, 3x3) spends 36
// on 16, 1.78x fewer, which the 128-bit FMA unit (the limit of every kernel here) turns into speed where the
// larger transforms stay cheap next to the products: from 16 to 64 input channels (see Conv2D.ts). The
// transforms' coefficients (up to 8 in A, 5 in B, 1/24 in G) make its rounding error a few times that of
// F(2x2, 3x3), which is why it stops at 64 input channels.
//
//   U = G g G^T      per (ci, co): the 3x3 filter to 6x6 (wg4_filter, once per call)
//   V = B^T d B      per (tile, ci): the 6x6 input patch of a 4x4 output tile
//   M[xi] = V[xi] U[xi]   36 matrix products over ci, one per position xi of the 6x6
//   Y = A^T M A      per (tile, co): the 4x4 outputs, then act(Y + bias + residual)
//
//        | 4  0 -5  0  1  0 |        | 1/4    0     0   |        | 1  1  1  1  1  0 |
//        | 0 -4 -4  1  1  0 |        | -1/6 -1/6  -1/6  |        | 0  1 -1  2 -2  0 |
//  B^T = | 0  4 -4 -1  1  0 |    G = | -1/6  1/6  -1/6  |  A^T = | 0  1  1  4  4  0 |
//        | 0 -2 -1  2  1  0 |        | 1/24  1/12  1/6  |        | 0  1 -1  8 -8  1 |
//        | 0  2 -1 -2  1  0 |        | 1/24 -1/12  1/6  |
//        | 0  4  0 -5  0  1 |        | 0      0     1   |
//
// Same blocking as winograd.c: tiles (4x4 output blocks over N x ceil(Ho/4) x ceil(Wo/4)) go in blocks of
// TB, a block's V (36 x TB x Ci) stays in L2 while every 8-channel block of U sweeps it, and each block's M
// (36 x TB x 8) is transformed while in L1. The input is read unpadded: a tile whose 6x6 patch reaches into
// the padding is gathered with its zeros first (tilePatch). Every output is the same sequence of operations
// whichever thread computes it, so any thread count gives the same bits. No stack, no static data (see
// filter_grad.c).

#include "winograd4.h"

// Tiles per block for Ci input channels: V of a block is 36*TB*Ci floats (72 KB for Ci = 16 and TB = 32),
// M 36*TB*8 (36 KB for TB = 32).
__attribute__((export_name("wg4_block"))) int wg4_block(int Ci) {
  int tb = (2048 / Ci) & ~3;
  return tb < 4 ? 4 : tb > 32 ? 32 : tb;
}

// M's stride from one xi to the next, padded by a cache line like V's (winograd.h).
static inline int m4Stride(int TB) { return TB * 8 + 16; }

// Bytes of scratch one wg4_run call needs: V, M, two ints a tile and a border tile's 6x6 patch (tilePatch).
__attribute__((export_name("wg4_scratch"))) int wg4_scratch(int Ci) {
  const int TB = wg4_block(Ci);
  return 4 * (36 * vStride(TB, Ci) + 36 * m4Stride(TB) + 2 * TB + 36 * Ci);
}

// G applied to (g0, g1, g2): the 6 values of one column (or row) of G g.
#define G6(g0, g1, g2, o)                                                                                   \
  do {                                                                                                      \
    const v128_t s02 = wasm_f32x4_add(g0, g2);                                                              \
    o[0] = wasm_f32x4_mul(g0, wasm_f32x4_splat(0.25f));                                                     \
    o[1] = wasm_f32x4_mul(wasm_f32x4_add(s02, g1), wasm_f32x4_splat(-1.f / 6.f));                           \
    o[2] = wasm_f32x4_mul(wasm_f32x4_sub(s02, g1), wasm_f32x4_splat(-1.f / 6.f));                           \
    const v128_t e = wasm_f32x4_add(wasm_f32x4_mul(g0, wasm_f32x4_splat(1.f / 24.f)),                       \
                                    wasm_f32x4_mul(g2, wasm_f32x4_splat(1.f / 6.f)));                        \
    const v128_t f = wasm_f32x4_mul(g1, wasm_f32x4_splat(1.f / 12.f));                                      \
    o[3] = wasm_f32x4_add(e, f);                                                                            \
    o[4] = wasm_f32x4_sub(e, f);                                                                            \
    o[5] = g2;                                                                                              \
  } while (0)

// U[b][xi][ci][8] = (G g G^T)[xi] for the 8 output channels of block b, g = w[.., .., ci, co] (HWIO).
// Co must be a multiple of 8.
__attribute__((export_name("wg4_filter"))) void wg4_filter(const float *w, float *U, int Ci, int Co) {
  for (int b = 0; b < Co / 8; b++)
    for (int ci = 0; ci < Ci; ci++)
      for (int h = 0; h < 2; h++) {
        const int co = 8 * b + 4 * h;
#define W(kh, kw) wasm_v128_load(w + (((kh) * 3 + (kw)) * Ci + ci) * Co + co)
        v128_t r[3][6]; // r[kw] = column kw of G g
        #pragma clang loop unroll(full)
        for (int kw = 0; kw < 3; kw++) G6(W(0, kw), W(1, kw), W(2, kw), r[kw]);
#undef W
        #pragma clang loop unroll(full)
        for (int i = 0; i < 6; i++) {
          v128_t o[6];
          G6(r[0][i], r[1][i], r[2][i], o);
          #pragma clang loop unroll(full)
          for (int j = 0; j < 6; j++) wasm_v128_store(U + ((b * 36 + 6 * i + j) * Ci + ci) * 8 + 4 * h, o[j]);
        }
      }
}

// A^T applied to (m0..m5): the 4 values of one row (or column) of A^T m.
#define A4(m0, m1, m2, m3, m4, m5, y)                                                                       \
  do {                                                                                                      \
    const v128_t a = wasm_f32x4_add(m1, m2), s = wasm_f32x4_sub(m1, m2);                                    \
    const v128_t b = wasm_f32x4_add(m3, m4), e = wasm_f32x4_sub(m3, m4);                                    \
    y[0] = wasm_f32x4_add(wasm_f32x4_add(m0, a), b);                                                        \
    y[1] = wasm_f32x4_add(s, wasm_f32x4_mul(e, wasm_f32x4_splat(2.f)));                                     \
    y[2] = wasm_f32x4_add(a, wasm_f32x4_mul(b, wasm_f32x4_splat(4.f)));                                     \
    y[3] = wasm_f32x4_add(wasm_f32x4_add(s, wasm_f32x4_mul(e, wasm_f32x4_splat(8.f))), m5);                 \
  } while (0)

// Tiles [t0, t1) of the N x TH x TW tiles (TH = ceil(Ho/4), TW = ceil(Wo/4)) of y [N,Ho,Wo,Co] from x
// [N,H,W,Ci] (unpadded: pt rows and pl columns of zeros before it, and as many after as the tiles read) and
// wg4_filter's U. bias and res (shaped like y) may be 0 (none). scratch: wg4_scratch(Ci) bytes of this
// call's own. Ci a multiple of 4, Co of 8.
static inline __attribute__((always_inline)) void wg4_tiles(const float *x, const float *U, const float *bias,
                                                            const float *res, float *y, float *scratch, int t0,
                                                            int t1, int relu, int H, int W, int pt, int pl,
                                                            const int Ci, int Ho, int Wo, const int Co) {
  const int TH = (Ho + 3) / 4, TW = (Wo + 3) / 4, TB = wg4_block(Ci), ms = m4Stride(TB);
  float *V = scratch, *M = scratch + 36 * vStride(TB, Ci);
  // Per tile of the block: its first output's offset in y, and how many of its 4 rows (bits 0-2) and 4
  // columns (bits 3-5) lie inside y; found once a block, without a division per tile.
  int *out = (int *)(M + 36 * ms), *inside = out + TB;
  float *patch = (float *)(inside + TB);
  int n = t0 / (TH * TW), th = (t0 / TW) % TH, tw = t0 % TW;
  for (int tb = t0; tb < t1; tb += TB) {
    const int nt = t1 - tb < TB ? t1 - tb : TB;
    for (int k = 0; k < nt; k++) {
      const float *d = tilePatch(x, patch, n, 4 * th - pt, 4 * tw - pl, 6, H, W, Ci);
      inputTile6(d, V, k, TB, Ci, d == patch ? 6 * Ci : W * Ci);
      out[k] = ((n * Ho + 4 * th) * Wo + 4 * tw) * Co;
      const int rows = Ho - 4 * th < 4 ? Ho - 4 * th : 4, cols = Wo - 4 * tw < 4 ? Wo - 4 * tw : 4;
      inside[k] = rows | cols << 3;
      if (++tw == TW) {
        tw = 0;
        if (++th == TH) th = 0, n++;
      }
    }
    for (int b = 0; b < Co / 8; b++) {
      for (int xi = 0; xi < 36; xi++) {
        const float *Vx = V + xi * vStride(TB, Ci), *Ux = U + (b * 36 + xi) * Ci * 8;
        float *Mx = M + xi * ms;
        int k = 0;
        for (; k + 4 <= nt; k += 4) product4x8(Vx + k * Ci, Ux, Mx + k * 8, Ci);
        for (; k < nt; k++) product1x8(Vx + k * Ci, Ux, Mx + k * 8, Ci);
      }
      for (int k = 0; k < nt; k++) {
        const int rows = inside[k] & 7, cols = inside[k] >> 3;
        for (int h = 0; h < 2; h++) {
          const float *m = M + k * 8 + 4 * h;
          v128_t r[6][4]; // r[i] = row i of M A
          #pragma clang loop unroll(full)
          for (int i = 0; i < 6; i++) {
#define LM(j) wasm_v128_load(m + (6 * i + (j)) * ms)
            A4(LM(0), LM(1), LM(2), LM(3), LM(4), LM(5), r[i]);
#undef LM
          }
          const int c = 8 * b + 4 * h;
          const float *bc = bias ? bias + c : 0;
          // Constant trip counts (unrolled: the arrays stay in registers), the tile's edge by tests.
          #pragma clang loop unroll(full)
          for (int j = 0; j < 4; j++) {
            v128_t yc[4];
            A4(r[0][j], r[1][j], r[2][j], r[3][j], r[4][j], r[5][j], yc);
            #pragma clang loop unroll(full)
            for (int i = 0; i < 4; i++) {
              const int o = out[k] + (i * Wo + j) * Co + c;
              if (i < rows && j < cols) wasm_v128_store(y + o, epilogue(yc[i], bc, res ? res + o : 0, relu));
            }
          }
        }
      }
    }
  }
}

// wg4_tiles for the channel counts compiled in (WG4_CHANNEL_COUNTS): 2 threads, 16 channels 6 % faster, 32 and 64
// 1-2 %.
__attribute__((export_name("wg4_run"))) void wg4_run(const float *x, const float *U, const float *bias,
                                                     const float *res, float *y, float *scratch, int t0, int t1,
                                                     int relu, int H, int W, int pt, int pl, int Ci, int Ho, int Wo,
                                                     int Co) {
#define WG4(CI, CO) wg4_tiles(x, U, bias, res, y, scratch, t0, t1, relu, H, W, pt, pl, CI, Ho, Wo, CO)
  WG4_CHANNEL_COUNTS(WG4, Ci, Co);
#undef WG4
}
