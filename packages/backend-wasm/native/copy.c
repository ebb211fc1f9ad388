// Strided copies of 4-byte elements (float32 or int32) for Slice and PadV2, on wasm SIMD128.
//
// Why: tfjs-backend-wasm 4.22's PadV2 and our JS Slice copied ResNet's option-A shortcuts (a rank-6 strided
// subsample, its channel padding, and their gradients) at 3 to 5 GB/s on one thread. Both kernels merge the
// tensor's dimensions to at most 6 first (kernels/Copy.ts); these loops then copy whole rows, and threads
// split the rows, each writing its own part of the output (any thread count gives the same bytes).
// Same memory rules as filter_grad.c: no stack, no static data.

#include <wasm_simd128.h>

static inline void copyRun(const int *s, int *d, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(d + i, wasm_v128_load(s + i));
  for (; i < n; i++) d[i] = s[i];
}

static inline void fillRun(int *d, int bits, int n) {
  const v128_t v = wasm_i32x4_splat(bits);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(d + i, v);
  for (; i < n; i++) d[i] = bits;
}

// Rows [r0, r1) of a box of n0 x n1 x n2 x n3 x n4 rows of `run` elements: row (i0..i4) goes from
// src + sum(i_k * ss_k) to dst + sum(i_k * ds_k) (strides in elements).
__attribute__((export_name("copy_box"))) void copy_box(const int *src, int *dst, int run, int n0, int n1, int n2, int n3,
                                                       int n4, int ss0, int ss1, int ss2, int ss3, int ss4, int ds0,
                                                       int ds1, int ds2, int ds3, int ds4, int r0, int r1) {
  int r = r0;
  int i4 = r % n4;
  r /= n4;
  int i3 = r % n3;
  r /= n3;
  int i2 = r % n2;
  r /= n2;
  int i1 = r % n1;
  int i0 = r / n1;
  for (int row = r0; row < r1; row++) {
    copyRun(src + i0 * ss0 + i1 * ss1 + i2 * ss2 + i3 * ss3 + i4 * ss4, dst + i0 * ds0 + i1 * ds1 + i2 * ds2 + i3 * ds3 + i4 * ds4, run);
    if (++i4 < n4) continue;
    i4 = 0;
    if (++i3 < n3) continue;
    i3 = 0;
    if (++i2 < n2) continue;
    i2 = 0;
    if (++i1 < n1) continue;
    i1 = 0;
    i0++;
  }
}

// Rows [r0, r1) of the padded output: o0 x o1 x o2 x o3 x o4 rows of `run` elements. Along outer dim k the
// input starts at b_k and has s_k rows (input strides from its shape); in a row the input has `inRun`
// elements from `before`. Everything else is `bits` (the constant's bit pattern).
__attribute__((export_name("pad_rows"))) void pad_rows(const int *src, int *dst, int bits, int run, int inRun, int before,
                                                       int o0, int o1, int o2, int o3, int o4, int s0, int s1, int s2,
                                                       int s3, int s4, int b0, int b1, int b2, int b3, int b4, int r0,
                                                       int r1) {
  int r = r0;
  int i4 = r % o4;
  r /= o4;
  int i3 = r % o3;
  r /= o3;
  int i2 = r % o2;
  r /= o2;
  int i1 = r % o1;
  int i0 = r / o1;
  const int after = run - before - inRun;
  for (int row = r0; row < r1; row++) {
    int *d = dst + row * run;
    const int j0 = i0 - b0, j1 = i1 - b1, j2 = i2 - b2, j3 = i3 - b3, j4 = i4 - b4;
    const int inside = (unsigned)j0 < (unsigned)s0 && (unsigned)j1 < (unsigned)s1 && (unsigned)j2 < (unsigned)s2 &&
                       (unsigned)j3 < (unsigned)s3 && (unsigned)j4 < (unsigned)s4;
    if (!inside) {
      fillRun(d, bits, run);
    } else {
      fillRun(d, bits, before);
      copyRun(src + ((((j0 * s1 + j1) * s2 + j2) * s3 + j3) * s4 + j4) * inRun, d + before, inRun);
      fillRun(d + before + inRun, bits, after);
    }
    if (++i4 < o4) continue;
    i4 = 0;
    if (++i3 < o3) continue;
    i3 = 0;
    if (++i2 < o2) continue;
    i2 = 0;
    if (++i1 < o1) continue;
    i1 = 0;
    i0++;
  }
}
