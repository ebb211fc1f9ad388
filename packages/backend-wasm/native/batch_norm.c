// Training-mode batch normalisation over the channels of NHWC tensors, forward and backward, on wasm SIMD128,
// optionally followed by a residual addition and a ReLU in the same passes: y = relu(bn(x) + res).
//
// tfjs's op chains for this (Mean, Sub, Square, Mean, Rsqrt, Mul, Mul, Add forward; Sum, Mul, Sum, Mul,
// Add, Mul, Add backward) read and write the activations 14 times per layer. Here it is four passes:
//   forward:  bn_stats (per-channel sum and sum of squares, float64) and bn_normalize;
//   backward: bn_grad_sums (sum of dy and of dy*(x-mean), float64) and bn_grad_dx.
// With the ReLU, the backward passes apply its mask (from y) to dy on the fly instead of a ReluGrad pass; with
// the residual, the first backward pass also writes the masked dy, which is the residual's gradient. The float32
// operations and their order are those of the separate kernels, so fused and unfused results are bit-identical.
// Statistics are split across threads by channel blocks and the elementwise passes by pixels, so each
// number is computed by one thread in one order: results do not depend on the thread count.
// Like filter_grad.c this module lives in tfjs's heap: no stack, no static data; float64 accumulators
// live in a caller-provided scratch buffer.

#include <wasm_simd128.h>

// ReLU that keeps NaN (wasm's max propagates NaN; -0 becomes +0), and its gradient's mask applied to dy:
// dy * s with s = 1 for y > 0, 0 for y <= 0 and NaN for a NaN y (as elementwise.c's relu_grad).
static inline v128_t relu4(v128_t v) { return wasm_f32x4_max(v, wasm_f32x4_splat(0.f)); }
static inline float relu1(float v) { return v != v ? v : (v > 0.f ? v : 0.f); }
static inline float masked1(float dy, float y) { return dy * (y > 0.f ? 1.f : (y != y ? y : 0.f)); }

// The same mask as bn_normalize stores it for the backward passes: the top 16 bits of each value's factor s
// (1, 0, or y itself when NaN), exact for all three, in half of y's bytes and one shift from s.
static inline v128_t maskFactor(v128_t y) {
  const v128_t s = wasm_v128_and(wasm_f32x4_splat(1.f), wasm_f32x4_gt(y, wasm_f32x4_splat(0.f)));
  return wasm_v128_bitselect(y, s, wasm_f32x4_ne(y, y));
}
static inline v128_t masked4(v128_t dy, v128_t y) { return wasm_f32x4_mul(dy, maskFactor(y)); }
static inline void storeMask(unsigned short *m, v128_t y) {
  const v128_t s = maskFactor(y);
  wasm_v128_store64_lane(m, wasm_i8x16_shuffle(s, s, 2, 3, 6, 7, 10, 11, 14, 15, 2, 3, 6, 7, 10, 11, 14, 15), 0);
}
static inline v128_t maskedBits(v128_t dy, const unsigned short *m) {
  return wasm_f32x4_mul(dy, wasm_i32x4_shl(wasm_u32x4_load16x4(m), 16));
}
static inline float maskedBit(float dy, const unsigned short *m) {
  union {
    unsigned u;
    float f;
  } s = {(unsigned)*m << 16};
  return dy * s.f;
}
// dy masked by the ReLU's gradient at element e: from the bits when m, else from y when y, else dy.
static inline v128_t mask4(v128_t dy, const float *y, const unsigned short *m, int e) {
  if (m) return maskedBits(dy, m + e);
  if (y) return masked4(dy, wasm_v128_load(y + e));
  return dy;
}
static inline float mask1(float dy, const float *y, const unsigned short *m, int e) {
  if (m) return maskedBit(dy, m + e);
  if (y) return masked1(dy, y[e]);
  return dy;
}

#define BLOCK 128  // pixels per block: one block of every channel stays in L1 between channel blocks

// Accumulates per-channel sums of x and x*x (or, with `dy`, of dy and dy*(x-mean)) for channels [c0, c1)
// over all P pixels into acc[0..C) and acc[C..2C), which must be zero on entry. With `y` or mask bits `m`, dy is
// first masked by the ReLU's gradient (and written to `dz` when that is not null).
static void sums(const float *a, const float *b, const float *y, const unsigned short *mk, float *dz, const float *mean,
                 int P, int C, int c0, int c1, double *acc) {
  double *s1 = acc, *s2 = acc + C;
  const int c4 = c0 + ((c1 - c0) & ~3);
  for (int p0 = 0; p0 < P; p0 += BLOCK) {
    const int p1 = p0 + BLOCK < P ? p0 + BLOCK : P;
    for (int c = c0; c < c4; c += 4) {
      v128_t u0 = wasm_f64x2_splat(0), u1 = wasm_f64x2_splat(0), v0 = wasm_f64x2_splat(0), v1 = wasm_f64x2_splat(0);
      const v128_t m = mean ? wasm_v128_load(mean + c) : wasm_f32x4_splat(0);
      for (int p = p0; p < p1; p++) {
        v128_t xa = wasm_v128_load(a + p * C + c);
        if (y || mk) {
          xa = mask4(xa, y, mk, p * C + c);
          if (dz) wasm_v128_store(dz + p * C + c, xa);
        }
        v128_t lo = wasm_f64x2_promote_low_f32x4(xa);
        v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(xa, xa, 2, 3, 0, 1));
        if (b) {
          // a is dy, b is x: second sum is dy * (x - mean), the centring done in float32 as tfjs's Sub.
          v128_t xc = wasm_f32x4_sub(wasm_v128_load(b + p * C + c), m);
          v128_t clo = wasm_f64x2_promote_low_f32x4(xc);
          v128_t chi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(xc, xc, 2, 3, 0, 1));
          v0 = wasm_f64x2_add(v0, wasm_f64x2_mul(lo, clo));
          v1 = wasm_f64x2_add(v1, wasm_f64x2_mul(hi, chi));
        } else {
          v0 = wasm_f64x2_add(v0, wasm_f64x2_mul(lo, lo));
          v1 = wasm_f64x2_add(v1, wasm_f64x2_mul(hi, hi));
        }
        u0 = wasm_f64x2_add(u0, lo);
        u1 = wasm_f64x2_add(u1, hi);
      }
      wasm_v128_store(s1 + c, wasm_f64x2_add(wasm_v128_load(s1 + c), u0));
      wasm_v128_store(s1 + c + 2, wasm_f64x2_add(wasm_v128_load(s1 + c + 2), u1));
      wasm_v128_store(s2 + c, wasm_f64x2_add(wasm_v128_load(s2 + c), v0));
      wasm_v128_store(s2 + c + 2, wasm_f64x2_add(wasm_v128_load(s2 + c + 2), v1));
    }
    for (int c = c4; c < c1; c++) {
      double u = 0, v = 0;
      const float m = mean ? mean[c] : 0.f;
      for (int p = p0; p < p1; p++) {
        float af = a[p * C + c];
        if (y || mk) {
          af = mask1(af, y, mk, p * C + c);
          if (dz) dz[p * C + c] = af;
        }
        const double ap = af;
        if (b) v += ap * (double)(b[p * C + c] - m);
        else v += ap * ap;
        u += ap;
      }
      s1[c] += u;
      s2[c] += v;
    }
  }
}

// Mean and biased variance of channels [c0, c1) of x [P, C]. acc: 2*C doubles of scratch.
__attribute__((export_name("bn_stats"))) void bn_stats(const float *x, int P, int C, int c0, int c1, double *acc,
                                                       float *mean, float *var) {
  for (int c = c0; c < c1; c++) acc[c] = acc[C + c] = 0;
  sums(x, 0, 0, 0, 0, 0, P, C, c0, c1, acc);
  for (int c = c0; c < c1; c++) {
    const double m = acc[c] / P;
    const double v = acc[C + c] / P - m * m;
    mean[c] = (float)m;
    var[c] = (float)(v > 0 ? v : 0);
  }
}

// Per-channel factor k = scale / sqrt(var + eps) (scale = 1 when null), in float32 as tfjs's Add and Rsqrt.
__attribute__((export_name("bn_factor"))) void bn_factor(const float *var, const float *scale, float eps, int C,
                                                         float *k) {
  for (int c = 0; c < C; c++) {
    const float inv = 1.f / __builtin_sqrtf(var[c] + eps);
    k[c] = scale ? inv * scale[c] : inv;
  }
}

// y = (x - mean) * k + offset (+ res) (then relu when `relu`) for pixels [p0, p1); offset and res are 0
// when null. Operations in the order of tfjs's Mul, Add, Add and Relu kernels. With `mk` (relu) also the
// ReLU's mask for the backward passes (see maskFactor).
__attribute__((export_name("bn_normalize"))) void bn_normalize(const float *x, float *y, const float *mean,
                                                               const float *k, const float *offset,
                                                               const float *res, int relu, unsigned short *mk, int p0,
                                                               int p1, int C) {
  const int c4 = C & ~3;
  for (int p = p0; p < p1; p++) {
    const float *xp = x + p * C, *rp = res ? res + p * C : 0;
    float *yp = y + p * C;
    int c = 0;
    for (; c < c4; c += 4) {
      v128_t v = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xp + c), wasm_v128_load(mean + c)), wasm_v128_load(k + c));
      if (offset) v = wasm_f32x4_add(v, wasm_v128_load(offset + c));
      if (rp) v = wasm_f32x4_add(v, wasm_v128_load(rp + c));
      if (relu) v = relu4(v);
      if (mk) storeMask(mk + p * C + c, v);
      wasm_v128_store(yp + c, v);
    }
    for (; c < C; c++) {
      float v = (xp[c] - mean[c]) * k[c] + (offset ? offset[c] : 0.f);
      if (rp) v += rp[c];
      yp[c] = relu ? relu1(v) : v;
      if (mk) {
        const union {
          float f;
          unsigned u;
        } b = {yp[c] > 0.f ? 1.f : yp[c] != yp[c] ? yp[c] : 0.f};
        mk[p * C + c] = (unsigned short)(b.u >> 16);
      }
    }
  }
}

// Per-channel sums of the backward pass for channels [c0, c1): acc[c] = sum dy, acc[C + c] = sum dy*(x-mean).
// With `y` (the forward's output after its ReLU) or its mask bits `mk`, dy is masked by the ReLU's gradient
// first, and the masked dy is written to `dz` unless that is null.
__attribute__((export_name("bn_grad_sums"))) void bn_grad_sums(const float *dy, const float *y, const unsigned short *mk,
                                                               float *dz, const float *x, const float *mean, int P,
                                                               int C, int c0, int c1, double *acc) {
  for (int c = c0; c < c1; c++) acc[c] = acc[C + c] = 0;
  sums(dy, x, y, mk, dz, mean, P, C, c0, c1, acc);
}

// From the sums: dOffset = sum dy, dScale = sum dy*xhat, and the coefficients of dx = K*dy + A*(x-mean) + B
// (K = scale/sigma, A = -K*dScale/(P*sigma), B = -K*dOffset/P), all per channel. dScale/dOffset may be null.
__attribute__((export_name("bn_grad_coeffs"))) void bn_grad_coeffs(const double *acc, const float *var,
                                                                   const float *scale, float eps, int P, int C,
                                                                   float *dScale, float *dOffset, float *K,
                                                                   float *A, float *B) {
  for (int c = 0; c < C; c++) {
    const float inv = 1.f / __builtin_sqrtf(var[c] + eps);
    const float sumDy = (float)acc[c];
    const float sumDyXhat = (float)(acc[C + c] * inv);
    const float k = scale ? inv * scale[c] : inv;
    if (dScale) dScale[c] = sumDyXhat;
    if (dOffset) dOffset[c] = sumDy;
    K[c] = k;
    A[c] = -k * sumDyXhat / (float)P * inv;
    B[c] = -k * sumDy / (float)P;
  }
}

// dx = K*dy + A*(x - mean) + B for pixels [p0, p1), dy masked by the ReLU's gradient from the bits `mk` or
// from `y` unless both are null.
__attribute__((export_name("bn_grad_dx"))) void bn_grad_dx(const float *dy, const float *y, const unsigned short *mk,
                                                           const float *x, const float *mean,
                                                           const float *K, const float *A, const float *B, int p0,
                                                           int p1, int C, float *dx) {
  const int c4 = C & ~3;
  for (int p = p0; p < p1; p++) {
    const float *dp = dy + p * C, *xp = x + p * C;
    float *out = dx + p * C;
    int c = 0;
    for (; c < c4; c += 4) {
      v128_t xc = wasm_f32x4_sub(wasm_v128_load(xp + c), wasm_v128_load(mean + c));
      const v128_t d = mask4(wasm_v128_load(dp + c), y, mk, p * C + c);
      v128_t v = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(K + c), d),
                                wasm_f32x4_mul(wasm_v128_load(A + c), xc));
      wasm_v128_store(out + c, wasm_f32x4_add(v, wasm_v128_load(B + c)));
    }
    for (; c < C; c++) {
      const float d = mask1(dp[c], y, mk, p * C + c);
      out[c] = K[c] * d + A[c] * (xp[c] - mean[c]) + B[c];
    }
  }
}
