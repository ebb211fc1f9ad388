// acc + a·b for the convolution kernels. Where the module is built with relaxed SIMD it is one
// f32x4.relaxed_madd, which V8 lowers to an FMA instruction on CPUs that have one (a single rounding); the
// plain SIMD128 build does a multiply and an add. The runtime picks the relaxed module only where
// WebAssembly accepts it (Node 22+, Chrome 114+), so both builds exist (build-native.mjs).
#include <wasm_simd128.h>

static inline v128_t madd(v128_t acc, v128_t a, v128_t b) {
#ifdef __wasm_relaxed_simd__
  return wasm_f32x4_relaxed_madd(a, b, acc);
#else
  return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b));
#endif
}

// act(a + bias + residual), the convolutions' epilogue: bias and residual (res, the 4 values at this output's
// place) may be 0 (none); relu 0 or 1. wasm's max keeps a NaN.
static inline v128_t epilogue(v128_t a, const float *bias, const float *res, int relu) {
  if (bias) a = wasm_f32x4_add(a, wasm_v128_load(bias));
  if (res) a = wasm_f32x4_add(a, wasm_v128_load(res));
  if (relu) a = wasm_f32x4_max(a, wasm_f32x4_splat(0.f));
  return a;
}
