// Training-mode batch normalisation over the channels of NHWC tensors, forward and backward, on wasm SIMD128,
// optionally followed by a residual addition and a ReLU in the same passes: y = relu(bn(x) + res).
//
// tfjs's op chains for this (Mean, Sub, Square, Mean, Rsqrt, Mul, Mul, Add forward; Sum, Mul, Sum, Mul,
// Add, Mul, Add backward) read and write the activations 14 times per layer. Here it is four passes:
//   forward:  bn_sums_chunks over x (per-channel sum and sum of squares, float64) and bn_normalize;
//   backward: bn_sums_chunks over dy and x (sum of dy and of dy*(x-mean), float64) and bn_grad_dx.
// With the ReLU, the backward passes apply its mask to dy on the fly instead of a ReluGrad pass: from y, from the
// 16-bit mask bn_normalize stored, or (no residual) recomputed from x, which they read anyway. With the
// residual, the first backward pass also writes the masked dy, which is the residual's gradient. The float32
// operations and their order are those of the separate kernels, so fused and unfused results are bit-identical.
// Sums are made over chunks of pixels fixed by the sizes alone (bn_chunk) and added in chunk order, and the
// elementwise passes are split by pixels, so results do not depend on the thread count.
// Like filter_grad.c this module lives in tfjs's heap: no stack, no static data; float64 accumulators
// live in a caller-provided scratch buffer.

#include <wasm_simd128.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

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

static inline v128_t lo64(v128_t v) { return wasm_f64x2_promote_low_f32x4(v); }
static inline v128_t hi64(v128_t v) { return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)); }
// Element e of the first factor: a, masked by the ReLU's gradient when y or mk (and then stored to dz if given).
static inline v128_t first4(const float *a, const float *y, const unsigned short *mk, float *dz, int e) {
  v128_t v = wasm_v128_load(a + e);
  if (y || mk) {
    v = mask4(v, y, mk, e);
    if (dz) wasm_v128_store(dz + e, v);
  }
  return v;
}

// dy masked by the ReLU's gradient recomputed from x - mean (xc): the forward's y = relu(xc*k + offset) in the
// same float32 operations, so its factor, and dy times it, are those of the mask the forward did not store.
// (The factor of relu(v) is that of v itself: v > 0 exactly where relu(v) > 0, and a NaN stays NaN.)
// A NaN v gets the factor 0 here, not NaN: v is NaN only where x - mean is (x NaN or infinite makes the mean so
// for the whole channel), k or the offset is, and then dx and dScale are NaN through x - mean anyway, and
// bn_grad_coeffs makes dOffset NaN. Two operations instead of maskFactor's five.
static inline v128_t recomputed4(v128_t dy, v128_t xc, v128_t k, v128_t o) {
  const v128_t v = wasm_f32x4_add(wasm_f32x4_mul(xc, k), o);
  return wasm_f32x4_mul(dy, wasm_v128_and(wasm_f32x4_splat(1.f), wasm_f32x4_gt(v, wasm_f32x4_splat(0.f))));
}
static inline float recomputed1(float dy, float xc, float k, float o) { return dy * (xc * k + o > 0.f ? 1.f : 0.f); }

// Sums of G groups of 4 channels from c over pixels [p0, p1) into s1, s2 (see chunk_sums). Two groups give the
// float64 adds 8 independent chains: one group's 4 stalled on their 4-cycle latency. Each channel's values are
// still added in pixel order, so the sums do not depend on G.
ALWAYS_INLINE void group_sums(const float *a, const float *b, const float *y, const unsigned short *mk, float *dz,
                              const float *mean, const float *kr, const float *orr, int p0, int p1, int C, int c,
                              double *s1, double *s2, const int G) {
  const v128_t z = wasm_f64x2_splat(0);
  v128_t u[4], v[4], m[2], kk[2], oo[2];
#pragma clang loop unroll(full)
  for (int j = 0; j < 2 * G; j++) u[j] = v[j] = z;
#pragma clang loop unroll(full)
  for (int g = 0; g < G; g++) {
    m[g] = mean ? wasm_v128_load(mean + c + 4 * g) : wasm_f32x4_splat(0);
    kk[g] = kr ? wasm_v128_load(kr + c + 4 * g) : z;
    oo[g] = kr ? wasm_v128_load(orr + c + 4 * g) : z;
  }
  for (int p = p0; p < p1; p++) {
#pragma clang loop unroll(full)
    for (int g = 0; g < G; g++) {
      const int e = p * C + c + 4 * g;
      // The second factor: x itself, or x - mean centred in float32 as tfjs's Sub.
      const v128_t xc = b ? wasm_f32x4_sub(wasm_v128_load(b + e), m[g]) : wasm_v128_load(a + e);
      v128_t xa;
      if (kr) {
        xa = recomputed4(wasm_v128_load(a + e), xc, kk[g], oo[g]);
        if (dz) wasm_v128_store(dz + e, xa);
      } else {
        xa = first4(a, y, mk, dz, e);
      }
      const v128_t lo = lo64(xa), hi = hi64(xa);
      u[2 * g] = wasm_f64x2_add(u[2 * g], lo);
      u[2 * g + 1] = wasm_f64x2_add(u[2 * g + 1], hi);
      const v128_t x2 = b ? xc : xa;
      v[2 * g] = wasm_f64x2_add(v[2 * g], wasm_f64x2_mul(lo, lo64(x2)));
      v[2 * g + 1] = wasm_f64x2_add(v[2 * g + 1], wasm_f64x2_mul(hi, hi64(x2)));
    }
  }
#pragma clang loop unroll(full)
  for (int j = 0; j < 2 * G; j++) {
    wasm_v128_store(s1 + c + 2 * j, wasm_f64x2_add(wasm_v128_load(s1 + c + 2 * j), u[j]));
    wasm_v128_store(s2 + c + 2 * j, wasm_f64x2_add(wasm_v128_load(s2 + c + 2 * j), v[j]));
  }
}

// Accumulates per-channel sums of x and x*x (or, with `b`, of dy and dy*(x-mean): a is dy, b is x) over pixels
// [q0, q1) into acc[0..C) and acc[C..2C), which must be zero on entry. With `y` or mask bits `mk`, dy is first
// masked by the ReLU's gradient (and written to `dz` when that is not null). Threads take whole chunks of
// pixels, not channel blocks: each streams its own rows, where a channel split had both threads read every
// cache line of a 16-channel tensor (2 threads: the backward sums 25-35 % faster, the same on one).
// Inlined into chunk_sums once per combination of inputs that the kernels pass, with the absent ones as
// constant nulls: the tests of them leave the inner loops (2 threads, warm cache, 128x32x32x16: the forward
// sums 0.44 -> 0.37 ms with the 8 chains of group_sums).
ALWAYS_INLINE void sums_of(const float *a, const float *b, const float *y, const unsigned short *mk, float *dz,
                           const float *mean, const float *kr, const float *orr, int q0, int q1, int C, double *acc) {
  double *s1 = acc, *s2 = acc + C;
  const int c8 = C & ~7, c4 = C & ~3;
  for (int p0 = q0; p0 < q1; p0 += BLOCK) {
    const int p1 = p0 + BLOCK < q1 ? p0 + BLOCK : q1;
    for (int c = 0; c < c8; c += 8) group_sums(a, b, y, mk, dz, mean, kr, orr, p0, p1, C, c, s1, s2, 2);
    if (c4 > c8) group_sums(a, b, y, mk, dz, mean, kr, orr, p0, p1, C, c8, s1, s2, 1);
    for (int c = c4; c < C; c++) {
      double u = 0, v = 0;
      const float m = mean ? mean[c] : 0.f;
      for (int p = p0; p < p1; p++) {
        float af = a[p * C + c];
        if (kr || y || mk) {
          af = kr ? recomputed1(af, b[p * C + c] - m, kr[c], orr[c]) : mask1(af, y, mk, p * C + c);
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

static void chunk_sums(const float *a, const float *b, const float *y, const unsigned short *mk, float *dz,
                       const float *mean, const float *kr, const float *orr, int q0, int q1, int C, double *acc) {
  if (!b && !y && !mk) sums_of(a, 0, 0, 0, 0, 0, 0, 0, q0, q1, C, acc);  // forward: x and x*x
  else if (b && kr && !dz) sums_of(a, b, 0, 0, 0, mean, kr, orr, q0, q1, C, acc);  // backward after a ReLU
  else if (b && mk) sums_of(a, b, 0, mk, dz, mean, 0, 0, q0, q1, C, acc);  // ... and a residual
  else sums_of(a, b, y, mk, dz, mean, kr, orr, q0, q1, C, acc);
}

// Pixels per chunk of the per-channel sums: a function of P alone (at most 64 chunks of whole blocks, at
// least 8 blocks each), so that the chunks, and the bits of their total, do not depend on the thread count.
__attribute__((export_name("bn_chunk"))) int bn_chunk(int P) {
  const int per = (P + 63) / 64;
  const int blocks = (per + BLOCK - 1) / BLOCK;
  return (blocks < 8 ? 8 : blocks) * BLOCK;
}

// Sums of chunks [k0, k1) of `chunk` pixels, chunk k into acc + 2*C*k: of x and x*x when b is null (a is x),
// else of dy and dy*(x - mean) (a is dy, b is x), dy masked first when y or mk (see chunk_sums), or by the
// mask recomputed from x, the factor kr and the offset orr (bn_factor's k and the forward's offset) when kr.
__attribute__((export_name("bn_sums_chunks"))) void bn_sums_chunks(const float *a, const float *b, const float *y,
                                                                   const unsigned short *mk, float *dz,
                                                                   const float *mean, const float *kr,
                                                                   const float *orr, int P, int C, int chunk,
                                                                   int k0, int k1, double *acc) {
  for (int k = k0; k < k1; k++) {
    double *ak = acc + 2 * C * k;
    for (int c = 0; c < 2 * C; c++) ak[c] = 0;
    const int q1 = (k + 1) * chunk < P ? (k + 1) * chunk : P;
    chunk_sums(a, b, y, mk, dz, mean, kr, orr, k * chunk, q1, C, ak);
  }
}

// Adds the chunks' sums, in chunk order, into the first: acc[0..2C) becomes the total over `chunks` chunks.
__attribute__((export_name("bn_sums_total"))) void bn_sums_total(double *acc, int chunks, int C) {
  for (int k = 1; k < chunks; k++)
    for (int c = 0; c < 2 * C; c++) acc[c] += acc[2 * C * k + c];
}

// Mean and biased variance from the totals of bn_sums_chunks over x.
__attribute__((export_name("bn_moments"))) void bn_moments(const double *acc, int P, int C, float *mean, float *var) {
  for (int c = 0; c < C; c++) {
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

// y = (x - mean) * k + offset (+ res) (then relu when `relu`) for the 4 values at element e, channels [c, c+4);
// offset and res are 0 when null. Operations in the order of tfjs's Mul, Add, Add and Relu kernels. With `mk`
// (relu) also the ReLU's mask for the backward passes (see maskFactor).
ALWAYS_INLINE void normalize4(const float *x, float *y, const float *mean, const float *k, const float *offset,
                              const float *res, int relu, unsigned short *mk, int e, int c) {
  v128_t v = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + e), wasm_v128_load(mean + c)), wasm_v128_load(k + c));
  if (offset) v = wasm_f32x4_add(v, wasm_v128_load(offset + c));
  if (res) v = wasm_f32x4_add(v, wasm_v128_load(res + e));
  if (relu) v = relu4(v);
  if (mk) storeMask(mk + e, v);
  wasm_v128_store(y + e, v);
}

// normalize4 over pixels [p0, p1).
ALWAYS_INLINE void normalize_rows(const float *x, float *y, const float *mean, const float *k, const float *offset,
                                  const float *res, int relu, unsigned short *mk, int p0, int p1, int C) {
  const int c4 = C & ~3;
  if (c4 == C) {
    // One stream of 4-float groups with the channel cycling: rows of 16 channels are only 4 groups, and the
    // per-row loop set-up cost as much as them.
    int c = 0;
#pragma clang loop vectorize(disable) interleave(disable)
    for (int e = p0 * C; e < p1 * C; e += 4) {
      normalize4(x, y, mean, k, offset, res, relu, mk, e, c);
      c = c + 4 == C ? 0 : c + 4;
    }
    return;
  }
  for (int p = p0; p < p1; p++) {
    int c = 0;
    for (; c < c4; c += 4) normalize4(x, y, mean, k, offset, res, relu, mk, p * C + c, c);
    for (; c < C; c++) {
      const int e = p * C + c;
      float v = (x[e] - mean[c]) * k[c] + (offset ? offset[c] : 0.f);
      if (res) v += res[e];
      y[e] = relu ? relu1(v) : v;
      if (mk) {
        const union {
          float f;
          unsigned u;
        } b = {y[e] > 0.f ? 1.f : y[e] != y[e] ? y[e] : 0.f};
        mk[e] = (unsigned short)(b.u >> 16);
      }
    }
  }
}

__attribute__((export_name("bn_normalize"))) void bn_normalize(const float *x, float *y, const float *mean,
                                                               const float *k, const float *offset,
                                                               const float *res, int relu, unsigned short *mk, int p0,
                                                               int p1, int C) {
  if (offset && relu && mk && res) normalize_rows(x, y, mean, k, offset, res, 1, mk, p0, p1, C);
  else if (offset && relu && mk) normalize_rows(x, y, mean, k, offset, 0, 1, mk, p0, p1, C);
  else if (offset && relu && !res) normalize_rows(x, y, mean, k, offset, 0, 1, 0, p0, p1, C);  // mask recomputed
  else normalize_rows(x, y, mean, k, offset, res, relu, mk, p0, p1, C);
}

// From the sums: dOffset = sum dy, dScale = sum dy*xhat, and the coefficients of dx = K*dy + A*(x-mean) + B
// (K = scale/sigma, A = -K*dScale/(P*sigma), B = -K*dOffset/P), all per channel. dScale/dOffset may be null.
// With `orr` (the mask was recomputed from x: the forward's offset), a channel whose mean, factor or offset is
// not finite gets a NaN sum of dy: there the recomputed mask gave 0 where y's gives NaN (recomputed4).
__attribute__((export_name("bn_grad_coeffs"))) void bn_grad_coeffs(const double *acc, const float *var,
                                                                   const float *scale, float eps, int P, int C,
                                                                   float *dScale, float *dOffset, float *K,
                                                                   float *A, float *B, const float *mean,
                                                                   const float *orr) {
  for (int c = 0; c < C; c++) {
    const float inv = 1.f / __builtin_sqrtf(var[c] + eps);
    float sumDy = (float)acc[c];
    if (orr) {
      const float kc = scale ? inv * scale[c] : inv;
      // x - x is 0 for a finite x and NaN for NaN and the infinities.
      if ((mean[c] - mean[c]) + (kc - kc) + (orr[c] - orr[c]) != 0.f) sumDy = __builtin_nanf("");
    }
    const float sumDyXhat = (float)(acc[C + c] * inv);
    const float k = scale ? inv * scale[c] : inv;
    if (dScale) dScale[c] = sumDyXhat;
    if (dOffset) dOffset[c] = sumDy;
    K[c] = k;
    A[c] = -k * sumDyXhat / (float)P * inv;
    B[c] = -k * sumDy / (float)P;
  }
}

// dx = K*dy + A*(x - mean) + B for the 4 values at element e, channels [c, c+4), dy masked by the ReLU's gradient
// recomputed from x when kr (see bn_sums_chunks), else from the bits `mk` or from `y` unless both are null.
ALWAYS_INLINE void grad_dx4(const float *dy, const float *y, const unsigned short *mk, const float *kr,
                            const float *orr, const float *x, const float *mean, const float *K, const float *A,
                            const float *B, int e, int c, float *dx) {
  const v128_t xc = wasm_f32x4_sub(wasm_v128_load(x + e), wasm_v128_load(mean + c));
  const v128_t d = kr ? recomputed4(wasm_v128_load(dy + e), xc, wasm_v128_load(kr + c), wasm_v128_load(orr + c))
                      : mask4(wasm_v128_load(dy + e), y, mk, e);
  const v128_t v = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(K + c), d), wasm_f32x4_mul(wasm_v128_load(A + c), xc));
  wasm_v128_store(dx + e, wasm_f32x4_add(v, wasm_v128_load(B + c)));
}

// grad_dx4 over pixels [p0, p1).
ALWAYS_INLINE void grad_dx_rows(const float *dy, const float *y, const unsigned short *mk, const float *kr,
                                const float *orr, const float *x, const float *mean, const float *K, const float *A,
                                const float *B, int p0, int p1, int C, float *dx) {
  const int c4 = C & ~3;
  if (c4 == C) {  // one stream, as normalize_rows
    int c = 0;
#pragma clang loop vectorize(disable) interleave(disable)
    for (int e = p0 * C; e < p1 * C; e += 4) {
      grad_dx4(dy, y, mk, kr, orr, x, mean, K, A, B, e, c, dx);
      c = c + 4 == C ? 0 : c + 4;
    }
    return;
  }
  for (int p = p0; p < p1; p++) {
    int c = 0;
    for (; c < c4; c += 4) grad_dx4(dy, y, mk, kr, orr, x, mean, K, A, B, p * C + c, c, dx);
    for (; c < C; c++) {
      const int e = p * C + c;
      const float d = kr ? recomputed1(dy[e], x[e] - mean[c], kr[c], orr[c]) : mask1(dy[e], y, mk, e);
      dx[e] = K[c] * d + A[c] * (x[e] - mean[c]) + B[c];
    }
  }
}

__attribute__((export_name("bn_grad_dx"))) void bn_grad_dx(const float *dy, const float *y, const unsigned short *mk,
                                                           const float *kr, const float *orr, const float *x,
                                                           const float *mean, const float *K, const float *A,
                                                           const float *B, int p0, int p1, int C, float *dx) {
  if (kr) grad_dx_rows(dy, 0, 0, kr, orr, x, mean, K, A, B, p0, p1, C, dx);
  else if (!y && !mk) grad_dx_rows(dy, 0, 0, 0, 0, x, mean, K, A, B, p0, p1, C, dx);
  else grad_dx_rows(dy, y, mk, 0, 0, x, mean, K, A, B, p0, p1, C, dx);
}
