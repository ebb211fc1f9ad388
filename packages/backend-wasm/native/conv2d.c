// Forward 2-D convolution, NHWC input, HWIO filter, optional bias and ReLU, on wasm SIMD128.
//
//   y[n,ho,wo,co] = act(bias[co] + sum over kh,kw,ci of x[n, ho*sh+kh-pt, wo*sw+kw-pl, ci] * w[kh,kw,ci,co])
//
// A direct convolution: no im2col, no indirection buffer. The input is zero-padded once (conv_pad) and the
// filter's 8-channel blocks packed contiguously (conv_pack); the output is then computed in tiles of 4
// neighbouring pixels x 8 output channels (8 accumulators, 2 filter vectors, 1 splat per step). Threads
// split output rows, so any thread count gives the same bits. Same memory rules as filter_grad.c.

#include "madd.h"

static inline v128_t epilogue(v128_t a, const float *bias, int relu) {
  if (bias) a = wasm_f32x4_add(a, wasm_v128_load(bias));
  if (relu) a = wasm_f32x4_max(a, wasm_f32x4_splat(0.f));
  return a;
}

// 4 pixels (xs floats apart) x 8 output channels over nkh filter rows and all KW columns. xr points at the
// first pixel's first valid tap, w at that tap in the packed filter of this channel block (8 floats a tap).
static inline void tile4x8(const float *xr, const float *w, float *y, const float *bias, int relu, int xs,
                           int xRow, int nkh, int KW, int Ci, int Co) {
  v128_t a00 = wasm_f32x4_splat(0.f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  for (int kh = 0; kh < nkh; kh++) {
    const float *xp = xr + kh * xRow;
    const float *wp = w + kh * KW * Ci * 8;
    for (int t = 0; t < KW * Ci; t++) {
      // Taps of one filter row are contiguous in x (kw·Ci + ci) and in the packed filter ((kw·Ci + ci)·8).
      const v128_t w0 = wasm_v128_load(wp), w1 = wasm_v128_load(wp + 4);
      v128_t s = wasm_v128_load32_splat(xp);
      a00 = madd(a00, s, w0);
      a01 = madd(a01, s, w1);
      s = wasm_v128_load32_splat(xp + xs);
      a10 = madd(a10, s, w0);
      a11 = madd(a11, s, w1);
      s = wasm_v128_load32_splat(xp + 2 * xs);
      a20 = madd(a20, s, w0);
      a21 = madd(a21, s, w1);
      s = wasm_v128_load32_splat(xp + 3 * xs);
      a30 = madd(a30, s, w0);
      a31 = madd(a31, s, w1);
      xp++;
      wp += 8;
    }
  }
  const float *b4 = bias ? bias + 4 : 0;
  wasm_v128_store(y, epilogue(a00, bias, relu));
  wasm_v128_store(y + 4, epilogue(a01, b4, relu));
  wasm_v128_store(y + Co, epilogue(a10, bias, relu));
  wasm_v128_store(y + Co + 4, epilogue(a11, b4, relu));
  wasm_v128_store(y + 2 * Co, epilogue(a20, bias, relu));
  wasm_v128_store(y + 2 * Co + 4, epilogue(a21, b4, relu));
  wasm_v128_store(y + 3 * Co, epilogue(a30, bias, relu));
  wasm_v128_store(y + 3 * Co + 4, epilogue(a31, b4, relu));
}

// 1 pixel x 4 output channels over nkh x nkw taps (borders and the channel tail); xr and w at the first tap.
static inline v128_t tile1x4(const float *xr, const float *w, int xRow, int nkh, int nkw, int KW, int Ci, int Co) {
  v128_t a = wasm_f32x4_splat(0.f);
  for (int kh = 0; kh < nkh; kh++) {
    const float *xp = xr + kh * xRow;
    const float *wp = w + kh * KW * Ci * Co;
    for (int t = 0; t < nkw * Ci; t++) {
      a = madd(a, wasm_v128_load32_splat(xp), wasm_v128_load(wp));
      xp++;
      wp += Co;
    }
  }
  return a;
}

static inline float dot1(const float *xr, const float *w, int xRow, int nkh, int nkw, int KW, int Ci, int Co) {
  float a = 0.f;
  for (int kh = 0; kh < nkh; kh++) {
    const float *xp = xr + kh * xRow;
    const float *wp = w + kh * KW * Ci * Co;
    for (int t = 0; t < nkw * Ci; t++) a += xp[t] * wp[t * Co];
  }
  return a;
}

static inline float relu1(float a, int relu) { return relu && !(a > 0.f) && a == a ? 0.f : a; }

// One output pixel, all channels from c0 on (the channel tail, and outputs fewer than 4 pixels wide).
static void pixel(const float *xr, const float *w, float *y, const float *bias, int relu, int xRow, int KH, int KW,
                  int Ci, int Co, int c0) {
  int co = c0;
  for (; co + 4 <= Co; co += 4) {
    const v128_t a = tile1x4(xr, w + co, xRow, KH, KW, KW, Ci, Co);
    wasm_v128_store(y + co, epilogue(a, bias ? bias + co : 0, relu));
  }
  for (; co < Co; co++) y[co] = relu1(dot1(xr, w + co, xRow, KH, KW, KW, Ci, Co) + (bias ? bias[co] : 0.f), relu);
}

// Copies rows [r0, r1) of the padded input (N*Hp rows of Wp pixels) from x [N,H,W,C]: zeros where the
// padding is. A full pass over x, cheap next to the convolution's 2*KH*KW*Co FLOPs per input value, and it
// lets every output pixel take the fast 4-pixel tile.
__attribute__((export_name("conv_pad"))) void conv_pad(const float *x, float *xp, int r0, int r1, int H, int W, int C,
                                                       int pt, int pl, int Hp, int Wp) {
  for (int r = r0; r < r1; r++) {
    const int n = r / Hp, h = r % Hp - pt;
    float *out = xp + r * Wp * C;
    if (h < 0 || h >= H) {
      for (int i = 0; i < Wp * C; i++) out[i] = 0.f;
      continue;
    }
    const float *in = x + (n * H + h) * W * C;
    int i = 0;
    for (; i < pl * C; i++) out[i] = 0.f;
    const int end = (pl + W) * C;
    const int stop = end < Wp * C ? end : Wp * C;
    for (int j = 0; i < stop; i++, j++) out[i] = in[j];
    for (; i < Wp * C; i++) out[i] = 0.f;
  }
}

// Output rows [r0, r1) of the N*Ho rows of a convolution without padding: x is [N,H,W,Ci] with every tap of
// every output pixel inside it (conv_pad made it so). `packed` is conv_pack's copy of w; bias may be 0
// (none); relu 0 or 1. Rows are tiled 4 pixels at a time, the last tile moved back to end at Wo (its first
// pixels are computed twice, to the same bits).
__attribute__((export_name("conv_run"))) void conv_run(const float *x, const float *w, const float *packed,
                                                       const float *bias, float *y, int r0, int r1, int relu, int H,
                                                       int W, int Ci, int Ho, int Wo, int Co, int KH, int KW, int sh,
                                                       int sw) {
  const int xRow = W * Ci, co8 = Co & ~7, xs = sw * Ci, block = KH * KW * Ci * 8;
  for (int r = r0; r < r1; r++) {
    const int n = r / Ho, ho = r % Ho;
    const float *xrow = x + (n * H + ho * sh) * xRow;
    float *yr = y + r * Wo * Co;
    if (Wo < 4) {
      for (int wo = 0; wo < Wo; wo++) pixel(xrow + wo * xs, w, yr + wo * Co, bias, relu, xRow, KH, KW, Ci, Co, 0);
      continue;
    }
    for (int w0 = 0; w0 < Wo; w0 += 4) {
      const int wo = w0 + 4 <= Wo ? w0 : Wo - 4;
      const float *xp = xrow + wo * xs;
      for (int cb = 0; cb < co8; cb += 8)
        tile4x8(xp, packed + (cb / 8) * block, yr + wo * Co + cb, bias ? bias + cb : 0, relu, xs, xRow, KH, KW, Ci, Co);
      if (co8 < Co)
        for (int j = 0; j < 4; j++) pixel(xp + j * xs, w, yr + (wo + j) * Co, bias, relu, xRow, KH, KW, Ci, Co, co8);
    }
  }
}

// Copies the full 8-channel blocks of the HWIO filter w (taps = KH*KW*Ci rows of Co) into `packed`, block
// after block, each block tap-major with 8 contiguous floats per tap: the 4x8 tile then streams its weights
// instead of gathering 32 bytes every Co floats.
__attribute__((export_name("conv_pack"))) void conv_pack(const float *w, float *packed, int taps, int Co) {
  for (int cb = 0; cb + 8 <= Co; cb += 8)
    for (int t = 0; t < taps; t++) {
      wasm_v128_store(packed, wasm_v128_load(w + t * Co + cb));
      wasm_v128_store(packed + 4, wasm_v128_load(w + t * Co + cb + 4));
      packed += 8;
    }
}
