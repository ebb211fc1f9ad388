// What the F(4x4, 3x3) kernels share (winograd4.c: the convolution and its input gradient;
// winograd4_filter_grad.c: its filter gradient): the input transform V = B^T d B of each 6x6 input patch.
#include "winograd.h"

// B^T applied to (d0..d5): the 6 values of one row (or column) of B^T d.
#define B6(d0, d1, d2, d3, d4, d5, t)                                                                       \
  do {                                                                                                      \
    const v128_t four = wasm_f32x4_splat(4.f), five = wasm_f32x4_splat(5.f), two = wasm_f32x4_splat(2.f);   \
    const v128_t p = wasm_f32x4_sub(d4, wasm_f32x4_mul(d2, four)), q = wasm_f32x4_sub(d3, wasm_f32x4_mul(d1, four)); \
    const v128_t r = wasm_f32x4_sub(d4, d2), s = wasm_f32x4_mul(wasm_f32x4_sub(d3, d1), two);              \
    t[0] = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_mul(d0, four), wasm_f32x4_mul(d2, five)), d4);          \
    t[1] = wasm_f32x4_add(p, q);                                                                            \
    t[2] = wasm_f32x4_sub(p, q);                                                                            \
    t[3] = wasm_f32x4_add(r, s);                                                                            \
    t[4] = wasm_f32x4_sub(r, s);                                                                            \
    t[5] = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_mul(d1, four), wasm_f32x4_mul(d3, five)), d5);          \
  } while (0)

// V[xi][k][ci..ci+3] for tile k of the block from its 6x6 patch at d (row stride xRow floats, pixel stride
// Ci): B^T d B, rows first.
static inline void inputTile6(const float *d, float *V, int k, int TB, int Ci, int xRow) {
  const int xs = vStride(TB, Ci);
  for (int ci = 0; ci < Ci; ci += 4) {
    const float *p = d + ci;
    v128_t t[6][6]; // t[i] = row i of d B (B^T applied along the row)
    #pragma clang loop unroll(full)
    for (int i = 0; i < 6; i++) {
      const float *row = p + i * xRow;
#define L(j) wasm_v128_load(row + (j) * Ci)
      B6(L(0), L(1), L(2), L(3), L(4), L(5), t[i]);
#undef L
    }
    float *v = V + k * Ci + ci;
    #pragma clang loop unroll(full)
    for (int j = 0; j < 6; j++) {
      v128_t c[6];
      B6(t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j], c);
      #pragma clang loop unroll(full)
      for (int i = 0; i < 6; i++) wasm_v128_store(v + (6 * i + j) * xs, c[i]);
    }
  }
}

// Calls call(Ci, Co) with the channel counts as constants where they are those of the CIFAR ResNets' 3x3
// stride-1 layers (Ci = Co = 16, 32, 64), else with them as they are: the kernels (wg4_run, wgf4_run) are
// compiled once more for each such count. With the counts constant, every offset of the transforms' loads and
// stores and of the products is an immediate and the loops over the channels unroll; with them known only at
// run time, V8 spent many of the transforms' instructions computing addresses. ResNet-50's 128 channels
// gained nothing and are not compiled again. The operations on the values, and so the results, are the same.
#define WG4_CHANNEL_COUNTS(call, Ci, Co)                                                                     \
  do {                                                                                                      \
    if ((Ci) == (Co) && (Ci) == 16) call(16, 16);                                                           \
    else if ((Ci) == (Co) && (Ci) == 32) call(32, 32);                                                      \
    else if ((Ci) == (Co) && (Ci) == 64) call(64, 64);                                                      \
    else call(Ci, Co);                                                                                      \
  } while (0)
