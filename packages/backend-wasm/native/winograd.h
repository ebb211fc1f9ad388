// The input transform both Winograd kernels share (winograd.c: the convolution and its input gradient;
// winograd_filter_grad.c: its filter gradient): V = B^T d B of each 4x4 input patch, F(2x2, 3x3).
#include "madd.h"

// The stride of V from one xi to the next: a block's rows for one xi plus a cache line (the kernels pad
// their other 16-row buffers the same way). Without
// the line the 16 strides are multiples of 4 KB, so the 16 rows a tile writes and reads all fall in the same
// L1 sets (8 ways) and evict each other: the 16-channel case ran 1.3x slower.
static inline int vStride(int TB, int Ci) { return TB * Ci + 16; }

// V[xi][k][ci..ci+3] for tile k of the block from its 4x4 patch at d (row stride xRow floats, pixel stride
// Ci): B^T d B, rows first. V has room for TB tiles.
static inline void inputTile(const float *d, float *V, int k, int TB, int Ci, int xRow) {
  for (int ci = 0; ci < Ci; ci += 4) {
    const float *p = d + ci;
#define L(i, j) wasm_v128_load(p + (i) * xRow + (j) * Ci)
#define ROW(i)                                                                                          \
  const v128_t d##i##0 = L(i, 0), d##i##1 = L(i, 1), d##i##2 = L(i, 2), d##i##3 = L(i, 3);             \
  const v128_t s##i##0 = wasm_f32x4_sub(d##i##0, d##i##2), s##i##1 = wasm_f32x4_add(d##i##1, d##i##2); \
  const v128_t s##i##2 = wasm_f32x4_sub(d##i##2, d##i##1), s##i##3 = wasm_f32x4_sub(d##i##1, d##i##3);
    ROW(0)
    ROW(1)
    ROW(2)
    ROW(3)
#undef ROW
#undef L
    float *v = V + k * Ci + ci;
    const int xs = vStride(TB, Ci);
#define COL(j)                                                              \
  wasm_v128_store(v + (0 + j) * xs, wasm_f32x4_sub(s0##j, s2##j));          \
  wasm_v128_store(v + (4 + j) * xs, wasm_f32x4_add(s1##j, s2##j));          \
  wasm_v128_store(v + (8 + j) * xs, wasm_f32x4_sub(s2##j, s1##j));          \
  wasm_v128_store(v + (12 + j) * xs, wasm_f32x4_sub(s1##j, s3##j));
    COL(0)
    COL(1)
    COL(2)
    COL(3)
#undef COL
  }
}
