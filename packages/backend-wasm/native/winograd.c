// 3x3 stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray 2016), NHWC input,
// HWIO filter, optional bias, residual and ReLU, on wasm SIMD128.
//
// Why: the direct convolution (conv2d.c) runs its 4x8 tile at the 128-bit FMA unit's limit (per tap:
// 4 splats, 2 filter loads, 8 multiply-adds); WebAssembly has no wider vectors. F(2x2, 3x3) computes each
// 2x2 block of outputs from a 4x4 input patch with 16 multiply-adds per channel pair instead of 36, so the
// same multiply-add rate does 2.25x the convolution.
//
//   U = G g G^T      per (ci, co): the 3x3 filter to 4x4 (wg_filter, once per call)
//   V = B^T d B      per (tile, ci): the 4x4 input patch of a 2x2 output tile
//   M[xi] = V[xi] U[xi]   16 matrix products over ci, one per position xi of the 4x4
//   Y = A^T M A      per (tile, co): the 2x2 outputs, then act(Y + bias + residual)
//
// Tiles (2x2 output blocks over N x ceil(Ho/2) x ceil(Wo/2)) go in blocks of TB: a block's V (16 x TB x Ci)
// stays in L2 while every 8-channel block of U sweeps it, and each block's M (16 x TB x 8) is transformed
// while in L1. The input must hold every tile's 4x4 patch: conv_pad makes 2*ceil(Ho/2)+2 rows and as
// many columns. Every output is the same sequence of operations whichever thread computes it, so any
// thread count gives the same bits. Same memory rules as filter_grad.c: no stack, no static data.

#include "winograd.h"

// Tiles per block for Ci input channels: V of a block is 16*TB*Ci floats (64 KB for Ci = 16 and TB = 64).
__attribute__((export_name("wg_block"))) int wg_block(int Ci) {
  int tb = (4096 / Ci) & ~3;
  return tb < 4 ? 4 : tb > 64 ? 64 : tb;
}

// M, one row of 8 channels a tile, padded like V (winograd.h).
static inline int mStride(int TB) { return TB * 8 + 16; }

// Bytes of scratch one wg_run call needs: V, M and two ints a tile.
__attribute__((export_name("wg_scratch"))) int wg_scratch(int Ci) {
  const int TB = wg_block(Ci);
  return 4 * (16 * vStride(TB, Ci) + 16 * mStride(TB) + 2 * TB + 16 * Ci);  // ... and a border tile's patch
}

// U[b][xi][ci][8] = (G g G^T)[xi] for the 8 output channels of block b, g = w[.., .., ci, co] (HWIO).
// Co must be a multiple of 8.
__attribute__((export_name("wg_filter"))) void wg_filter(const float *w, float *U, int Ci, int Co) {
  for (int b = 0; b < Co / 8; b++)
    for (int ci = 0; ci < Ci; ci++)
      for (int h = 0; h < 2; h++) {
        const int co = 8 * b + 4 * h;
#define G(kh, kw) wasm_v128_load(w + (((kh) * 3 + (kw)) * Ci + ci) * Co + co)
        const v128_t half = wasm_f32x4_splat(0.5f);
        // Rows of G g: for each filter column kw, (g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2) down the rows.
        v128_t r[4][3];
        for (int kw = 0; kw < 3; kw++) {
          const v128_t g0 = G(0, kw), g1 = G(1, kw), g2 = G(2, kw);
          r[0][kw] = g0;
          r[1][kw] = wasm_f32x4_mul(wasm_f32x4_add(wasm_f32x4_add(g0, g1), g2), half);
          r[2][kw] = wasm_f32x4_mul(wasm_f32x4_add(wasm_f32x4_sub(g0, g1), g2), half);
          r[3][kw] = g2;
        }
#undef G
        for (int i = 0; i < 4; i++) {
          const v128_t a = r[i][0], m = r[i][1], c = r[i][2];
          float *u = U + ((b * 16 + 4 * i) * Ci + ci) * 8 + 4 * h;
          wasm_v128_store(u, a);
          wasm_v128_store(u + Ci * 8, wasm_f32x4_mul(wasm_f32x4_add(wasm_f32x4_add(a, m), c), half));
          wasm_v128_store(u + 2 * Ci * 8, wasm_f32x4_mul(wasm_f32x4_add(wasm_f32x4_sub(a, m), c), half));
          wasm_v128_store(u + 3 * Ci * 8, c);
        }
      }
}

// Tiles [t0, t1) of the N x TH x TW tiles (TH = ceil(Ho/2), TW = ceil(Wo/2)) of y [N,Ho,Wo,Co] from x
// [N,H,W,Ci] (unpadded: pt rows and pl columns of zeros before it, and as many after as the tiles read; see
// tilePatch) and wg_filter's U. bias and res (shaped like y) may be 0 (none). scratch: wg_scratch(Ci) bytes
// of this call's own. Ci a multiple of 4, Co of 8.
__attribute__((export_name("wg_run"))) void wg_run(const float *x, const float *U, const float *bias, const float *res,
                                                   float *y, float *scratch, int t0, int t1, int relu, int H, int W,
                                                   int pt, int pl, int Ci, int Ho, int Wo, int Co) {
  const int TH = (Ho + 1) / 2, TW = (Wo + 1) / 2, TB = wg_block(Ci);
  float *V = scratch, *M = scratch + 16 * vStride(TB, Ci);
  // Per tile of the block: its first output's offset in y, and which of its 4 outputs lie inside y
  // (bit 0: the right column, bit 1: the bottom row); found once a block, without a division per tile.
  int *out = (int *)(M + 16 * mStride(TB)), *inside = out + TB;
  float *patch = (float *)(inside + TB);
  int n = t0 / (TH * TW), th = (t0 / TW) % TH, tw = t0 % TW;
  for (int tb = t0; tb < t1; tb += TB) {
    const int nt = t1 - tb < TB ? t1 - tb : TB;
    for (int k = 0; k < nt; k++) {
      const float *d = tilePatch(x, patch, n, 2 * th - pt, 2 * tw - pl, 4, H, W, Ci);
      inputTile(d, V, k, TB, Ci, d == patch ? 4 * Ci : W * Ci);
      out[k] = ((n * Ho + 2 * th) * Wo + 2 * tw) * Co;
      inside[k] = (2 * tw + 1 < Wo) | (2 * th + 1 < Ho) << 1;
      if (++tw == TW) {
        tw = 0;
        if (++th == TH) th = 0, n++;
      }
    }
    for (int b = 0; b < Co / 8; b++) {
      for (int xi = 0; xi < 16; xi++) {
        const float *Vx = V + xi * vStride(TB, Ci), *Ux = U + (b * 16 + xi) * Ci * 8;
        float *Mx = M + xi * mStride(TB);
        int k = 0;
        for (; k + 4 <= nt; k += 4) product4x8(Vx + k * Ci, Ux, Mx + k * 8, Ci);
        for (; k < nt; k++) product1x8(Vx + k * Ci, Ux, Mx + k * 8, Ci);
      }
      const int co = 8 * b;
      for (int k = 0; k < nt; k++) {
        const int right = inside[k] & 1, bottom = inside[k] >> 1;
        for (int h = 0; h < 2; h++) {
          const float *m = M + k * 8 + 4 * h;
          const int ms = mStride(TB);
#define LM(i, j) wasm_v128_load(m + ((i) * 4 + (j)) * ms)
          // A^T M A: rows (m0 + m1 + m2, m1 - m2 - m3), then the same down the columns.
#define ROW(i)                                                                                              \
  const v128_t m##i##0 = LM(i, 0), m##i##1 = LM(i, 1), m##i##2 = LM(i, 2), m##i##3 = LM(i, 3);             \
  const v128_t r##i##0 = wasm_f32x4_add(wasm_f32x4_add(m##i##0, m##i##1), m##i##2);                        \
  const v128_t r##i##1 = wasm_f32x4_sub(wasm_f32x4_sub(m##i##1, m##i##2), m##i##3);
          ROW(0)
          ROW(1)
          ROW(2)
          ROW(3)
#undef ROW
#undef LM
          const v128_t y00 = wasm_f32x4_add(wasm_f32x4_add(r00, r10), r20);
          const v128_t y01 = wasm_f32x4_add(wasm_f32x4_add(r01, r11), r21);
          const v128_t y10 = wasm_f32x4_sub(wasm_f32x4_sub(r10, r20), r30);
          const v128_t y11 = wasm_f32x4_sub(wasm_f32x4_sub(r11, r21), r31);
          const int c = co + 4 * h;
          const float *bc = bias ? bias + c : 0;
          const int o = out[k] + c;
          wasm_v128_store(y + o, epilogue(y00, bc, res ? res + o : 0, relu));
          if (right) wasm_v128_store(y + o + Co, epilogue(y01, bc, res ? res + o + Co : 0, relu));
          if (bottom) {
            const int o1 = o + Wo * Co;
            wasm_v128_store(y + o1, epilogue(y10, bc, res ? res + o1 : 0, relu));
            if (right) wasm_v128_store(y + o1 + Co, epilogue(y11, bc, res ? res + o1 + Co : 0, relu));
          }
        }
      }
    }
  }
}
