// What the Winograd kernels share: the input transform of F(2x2, 3x3) (winograd.c: the convolution and its
// input gradient; winograd_filter_grad.c: its filter gradient), V = B^T d B of each 4x4 input patch, and the
// per-position matrix products M = V U of the convolutions (winograd.c, and winograd4.c's F(4x4, 3x3)) and
// the sums over tiles of V D of their filter gradients (winograd_filter_grad.c, winograd4_filter_grad.c).
#include "madd.h"

// The stride of V from one xi to the next: a block's rows for one xi plus a cache line (the kernels pad
// their other 16-row buffers the same way). Without
// the line the 16 strides are multiples of 4 KB, so the 16 rows a tile writes and reads all fall in the same
// L1 sets (8 ways) and evict each other: the 16-channel case ran 1.3x slower.
static inline int vStride(int TB, int Ci) { return TB * Ci + 16; }

// First tile of chunk c of p (the filter gradients' chunks of tiles).
static inline int chunkStart(int c, int p, int tiles) { return (int)(((long long)tiles * c) / p); }

// The s x s input patch of the tile whose top-left input pixel is (r, c) of image n of x [N,H,W,Ci], unpadded
// (r and c are negative at the top and left borders, where the zero padding is): a pointer into x where the
// patch lies inside it (row stride W*Ci), else the patch gathered into `patch` (s*s*Ci floats, row stride
// s*Ci), zeros outside x. The Winograd kernels read x so instead of a zero-padded copy of it
// (conv_pad), which cost a pass over x and one over the copy; the values, and so the results, are the same.
static inline const float *tilePatch(const float *x, float *patch, int n, int r, int c, int s, int H, int W,
                                     int Ci) {
  if (r >= 0 && c >= 0 && r + s <= H && c + s <= W) return x + ((n * H + r) * W + c) * Ci;
  for (int i = 0; i < s; i++) {
    for (int j = 0; j < s; j++) {
      float *dst = patch + (i * s + j) * Ci;
      const int xr = r + i, xc = c + j;
      if (xr >= 0 && xr < H && xc >= 0 && xc < W) {
        const float *src = x + ((n * H + xr) * W + xc) * Ci;
        for (int ci = 0; ci < Ci; ci += 4) wasm_v128_store(dst + ci, wasm_v128_load(src + ci));
      } else {
        for (int ci = 0; ci < Ci; ci += 4) wasm_v128_store(dst + ci, wasm_f32x4_splat(0.f));
      }
    }
  }
  return patch;
}

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

// M[k..k+3][8] = sum over ci of V[k..k+3][ci] * U[ci][8] for one xi (V rows of Ci floats, U 8 floats a ci).
static inline void product4x8(const float *V, const float *U, float *M, int Ci) {
  v128_t a00 = wasm_f32x4_splat(0.f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  const float *v0 = V, *v1 = V + Ci, *v2 = V + 2 * Ci, *v3 = V + 3 * Ci;
  for (int ci = 0; ci < Ci; ci++) {
    const v128_t u0 = wasm_v128_load(U + 8 * ci), u1 = wasm_v128_load(U + 8 * ci + 4);
    v128_t s = wasm_v128_load32_splat(v0 + ci);
    a00 = madd(a00, s, u0);
    a01 = madd(a01, s, u1);
    s = wasm_v128_load32_splat(v1 + ci);
    a10 = madd(a10, s, u0);
    a11 = madd(a11, s, u1);
    s = wasm_v128_load32_splat(v2 + ci);
    a20 = madd(a20, s, u0);
    a21 = madd(a21, s, u1);
    s = wasm_v128_load32_splat(v3 + ci);
    a30 = madd(a30, s, u0);
    a31 = madd(a31, s, u1);
  }
  wasm_v128_store(M, a00);
  wasm_v128_store(M + 4, a01);
  wasm_v128_store(M + 8, a10);
  wasm_v128_store(M + 12, a11);
  wasm_v128_store(M + 16, a20);
  wasm_v128_store(M + 20, a21);
  wasm_v128_store(M + 24, a30);
  wasm_v128_store(M + 28, a31);
}

// The same multiply-adds as one row of product4x8 (a block's last 1-3 tiles).
static inline void product1x8(const float *V, const float *U, float *M, int Ci) {
  v128_t a0 = wasm_f32x4_splat(0.f), a1 = a0;
  for (int ci = 0; ci < Ci; ci++) {
    const v128_t s = wasm_v128_load32_splat(V + ci);
    a0 = madd(a0, s, wasm_v128_load(U + 8 * ci));
    a1 = madd(a1, s, wasm_v128_load(U + 8 * ci + 4));
  }
  wasm_v128_store(M, a0);
  wasm_v128_store(M + 4, a1);
}

// M[ci..ci+3][co..co+7] (row stride Co) += sum over the nt tiles of V[k][ci..ci+3] * D[k][co..co+7].
static inline void accumulate4x8(const float *V, const float *D, float *M, int Ci, int Co, int nt) {
  v128_t a00 = wasm_v128_load(M), a01 = wasm_v128_load(M + 4);
  v128_t a10 = wasm_v128_load(M + Co), a11 = wasm_v128_load(M + Co + 4);
  v128_t a20 = wasm_v128_load(M + 2 * Co), a21 = wasm_v128_load(M + 2 * Co + 4);
  v128_t a30 = wasm_v128_load(M + 3 * Co), a31 = wasm_v128_load(M + 3 * Co + 4);
  for (int k = 0; k < nt; k++) {
    const v128_t d0 = wasm_v128_load(D), d1 = wasm_v128_load(D + 4);
    v128_t s = wasm_v128_load32_splat(V);
    a00 = madd(a00, s, d0);
    a01 = madd(a01, s, d1);
    s = wasm_v128_load32_splat(V + 1);
    a10 = madd(a10, s, d0);
    a11 = madd(a11, s, d1);
    s = wasm_v128_load32_splat(V + 2);
    a20 = madd(a20, s, d0);
    a21 = madd(a21, s, d1);
    s = wasm_v128_load32_splat(V + 3);
    a30 = madd(a30, s, d0);
    a31 = madd(a31, s, d1);
    V += Ci;
    D += Co;
  }
  wasm_v128_store(M, a00); wasm_v128_store(M + 4, a01);
  wasm_v128_store(M + Co, a10); wasm_v128_store(M + Co + 4, a11);
  wasm_v128_store(M + 2 * Co, a20); wasm_v128_store(M + 2 * Co + 4, a21);
  wasm_v128_store(M + 3 * Co, a30); wasm_v128_store(M + 3 * Co + 4, a31);
}
