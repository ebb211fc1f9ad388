// Elementwise passes that tfjs runs as chains of kernels, one pass each here (wasm SIMD128):
//   relu_grad: dx = x > 0 ? dy : 0            (tfjs: Step, Cast, Multiply)
//   add:       out = a + b over elements [i0, i1) of two same-shape float32 tensors (tfjs: Add, one thread)
//   sgd_step:  PyTorch's SGD update of one parameter and its momentum buffer (tfjs: up to 7 kernels).
// Same float32 operations in the same order as those chains, so results are bit-identical to them.
// No stack and no static data (the module runs in tfjs's heap, see filter_grad.c).

#include <wasm_simd128.h>

// dx = dy * step(x) with step = 1 for x > 0, 0 for x <= 0 and NaN for NaN, as tfjs: a NaN in x or dy stays
// NaN (dy * 0 is NaN for an infinite or NaN dy), never a good-looking zero.
__attribute__((export_name("relu_grad"))) void relu_grad(const float *dy, const float *x, float *dx, int i0, int i1) {
  int i = i0;
  const v128_t zero = wasm_f32x4_splat(0.f), one = wasm_f32x4_splat(1.f);
  for (; i + 4 <= i1; i += 4) {
    const v128_t xv = wasm_v128_load(x + i);
    v128_t s = wasm_v128_and(one, wasm_f32x4_gt(xv, zero));
    s = wasm_v128_bitselect(xv, s, wasm_f32x4_ne(xv, xv));
    wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_v128_load(dy + i), s));
  }
  for (; i < i1; i++) {
    const float s = x[i] > 0.f ? 1.f : (x[i] != x[i] ? x[i] : 0.f);
    dx[i] = dy[i] * s;
  }
}

// out = a + b for elements [i0, i1): float32 addition is exact-rounded, so the bits are tfjs's Add's. The
// gradient accumulation at every residual block's input, where a branch and a shortcut gradient meet.
__attribute__((export_name("add_f32"))) void add_f32(const float *a, const float *b, float *out, int i0, int i1) {
  int i = i0;
  for (; i + 4 <= i1; i += 4) wasm_v128_store(out + i, wasm_f32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  for (; i < i1; i++) out[i] = a[i] + b[i];
}

// d = g + wd*p; buf = first ? d : momentum*buf + (1-dampening)*d; d = nesterov ? d + momentum*buf : buf;
// p = p - lr*d. momentum = 0 skips the buffer (bufOut untouched). Flags: 1 first step, 2 nesterov,
// 4 weight decay, 8 dampening (each term is skipped when off, as the op chain skips it).
__attribute__((export_name("sgd_step"))) void sgd_step(const float *p, const float *g, const float *buf,
                                                       float *pOut, float *bufOut, int n, float lr,
                                                       float momentum, float oneMinusDampening, float wd,
                                                       int flags) {
  const int first = flags & 1, nesterov = flags & 2, decay = flags & 4, damp = flags & 8;
  for (int i = 0; i < n; i++) {
    float d = decay ? g[i] + p[i] * wd : g[i];
    if (momentum != 0.f) {
      const float scaled = damp ? d * oneMinusDampening : d;
      const float b = first ? d : buf[i] * momentum + scaled;
      bufOut[i] = b;
      d = nesterov ? d + b * momentum : b;
    }
    pOut[i] = p[i] - d * lr;
  }
}
