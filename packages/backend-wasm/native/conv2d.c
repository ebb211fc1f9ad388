// Forward 2-D convolution, NHWC input, HWIO filter, optional bias, residual and ReLU, on wasm SIMD128.
//
//   y[n,ho,wo,co] = act(sum over kh,kw,ci of x[n, ho*sh+kh-pt, wo*sw+kw-pl, ci] * w[kh,kw,ci,co] + bias[co] + res[n,ho,wo,co])
//
// A direct convolution: no im2col. The input is zero-padded once (conv_pad) and the filter's 8-channel
// blocks packed contiguously (conv_pack); the output is then computed in tiles of 4 output pixels x 8 output
// channels (8 accumulators, 2 filter vectors, 1 splat per step). The 4 pixels are consecutive in the
// flattened N*Ho*Wo order, each with its own input offset (an indirection table, conv_run's first pass), so a
// tile may span two rows and a 7- or 14-wide output wastes no lanes. Pixels go in blocks of PIXEL_BLOCK: each
// channel block's packed filter is read once per block of pixels rather than once per tile, which keeps the
// large filters of ResNet-50's later stages (up to 9 MB) out of the inner loop's memory traffic. Every
// output value is the same sequence of multiply-adds whatever tile computes it, and threads split output
// rows, so any thread count gives the same bits. Same memory rules as filter_grad.c.

#include "madd.h"

// 4 output pixels (input offsets o[0..3]) x 8 output channels over all KH x KW x Ci taps. w is this channel
// block's packed filter (8 floats a tap); a filter row's taps are contiguous in x (kw·Ci + ci) and in w.
// y (4 output pointers, each at its pixel's 8 channels) and res (likewise, or 0) may lie anywhere.
static inline void tile4x8(const float *x, const int *o, const float *w, float *y0, float *y1, float *y2, float *y3,
                           const float *bias, const float *res0, const float *res1, const float *res2,
                           const float *res3, int relu, int xRow, int KH, int KWCi) {
  v128_t a00 = wasm_f32x4_splat(0.f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  const float *x0 = x + o[0], *x1 = x + o[1], *x2 = x + o[2], *x3 = x + o[3];
  for (int kh = 0; kh < KH; kh++) {
    const float *wp = w + kh * KWCi * 8;
    const int xo = kh * xRow;
    for (int t = 0; t < KWCi; t++) {
      const v128_t w0 = wasm_v128_load(wp + 8 * t), w1 = wasm_v128_load(wp + 8 * t + 4);
      v128_t s = wasm_v128_load32_splat(x0 + xo + t);
      a00 = madd(a00, s, w0);
      a01 = madd(a01, s, w1);
      s = wasm_v128_load32_splat(x1 + xo + t);
      a10 = madd(a10, s, w0);
      a11 = madd(a11, s, w1);
      s = wasm_v128_load32_splat(x2 + xo + t);
      a20 = madd(a20, s, w0);
      a21 = madd(a21, s, w1);
      s = wasm_v128_load32_splat(x3 + xo + t);
      a30 = madd(a30, s, w0);
      a31 = madd(a31, s, w1);
    }
  }
  const float *b4 = bias ? bias + 4 : 0;
#define R4(r) ((r) ? (r) + 4 : 0)
  wasm_v128_store(y0, epilogue(a00, bias, res0, relu));
  wasm_v128_store(y0 + 4, epilogue(a01, b4, R4(res0), relu));
  wasm_v128_store(y1, epilogue(a10, bias, res1, relu));
  wasm_v128_store(y1 + 4, epilogue(a11, b4, R4(res1), relu));
  wasm_v128_store(y2, epilogue(a20, bias, res2, relu));
  wasm_v128_store(y2 + 4, epilogue(a21, b4, R4(res2), relu));
  wasm_v128_store(y3, epilogue(a30, bias, res3, relu));
  wasm_v128_store(y3 + 4, epilogue(a31, b4, R4(res3), relu));
#undef R4
}

// 1 output pixel x 8 channels: the same multiply-adds in the same order as one pixel of tile4x8 (the last
// pixels of a thread's share, fewer than 4).
static inline void tile1x8(const float *x, const float *w, float *y, const float *bias, const float *res, int relu,
                           int xRow, int KH, int KWCi) {
  v128_t a0 = wasm_f32x4_splat(0.f), a1 = a0;
  for (int kh = 0; kh < KH; kh++) {
    const float *wp = w + kh * KWCi * 8;
    const float *xp = x + kh * xRow;
    for (int t = 0; t < KWCi; t++) {
      const v128_t s = wasm_v128_load32_splat(xp + t);
      a0 = madd(a0, s, wasm_v128_load(wp + 8 * t));
      a1 = madd(a1, s, wasm_v128_load(wp + 8 * t + 4));
    }
  }
  wasm_v128_store(y, epilogue(a0, bias, res, relu));
  wasm_v128_store(y + 4, epilogue(a1, bias ? bias + 4 : 0, res ? res + 4 : 0, relu));
}

// 1 pixel x 4 output channels over nkh x nkw taps (the channel tail); xr and w at the first tap.
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

// One output pixel, channels c0..Co-1 from the unpacked filter (the channel tail, Co mod 8).
static void pixel(const float *xr, const float *w, float *y, const float *bias, const float *res, int relu, int xRow,
                  int KH, int KW, int Ci, int Co, int c0) {
  int co = c0;
  for (; co + 4 <= Co; co += 4) {
    const v128_t a = tile1x4(xr, w + co, xRow, KH, KW, KW, Ci, Co);
    wasm_v128_store(y + co, epilogue(a, bias ? bias + co : 0, res ? res + co : 0, relu));
  }
  for (; co < Co; co++)
    y[co] = relu1(dot1(xr, w + co, xRow, KH, KW, KW, Ci, Co) + (bias ? bias[co] : 0.f) + (res ? res[co] : 0.f), relu);
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

// Pixels per block: 16 tiles share each channel block's packed filter while it is in cache. The block's
// input (64 pixels' receptive fields) and one channel block's filter (≤ 147 KB for 3x3x512) fit in L2.
#define PIXEL_BLOCK 64

// Output rows [r0, r1) of the N*Ho rows of a convolution without padding: x is [N,H,W,Ci] with every tap of
// every output pixel inside it (conv_pad made it so). `packed` is conv_pack's copy of w; bias and res (a
// residual added before the activation, shaped like y) may be 0 (none); relu 0 or 1. `offs` has room for an
// int per output pixel (N*Ho*Wo); this call fills and uses entries [r0*Wo, r1*Wo) only, so threads with
// disjoint rows share it.
__attribute__((export_name("conv_run"))) void conv_run(const float *x, const float *w, const float *packed,
                                                       const float *bias, const float *res, float *y, int *offs, int r0,
                                                       int r1, int relu, int H, int W, int Ci, int Ho, int Wo, int Co,
                                                       int KH, int KW, int sh, int sw) {
  const int xRow = W * Ci, co8 = Co & ~7, KWCi = KW * Ci, block = KH * KWCi * 8;
  const int p0 = r0 * Wo, p1 = r1 * Wo;
  for (int r = r0, p = p0; r < r1; r++) {
    const int rowStart = ((r / Ho) * H + (r % Ho) * sh) * xRow;
    for (int wo = 0; wo < Wo; wo++) offs[p++] = rowStart + wo * sw * Ci;
  }
  for (int pb = p0; pb < p1; pb += PIXEL_BLOCK) {
    const int pe = pb + PIXEL_BLOCK < p1 ? pb + PIXEL_BLOCK : p1;
    // The block's residual copied into its output first, in one sequential stream, and read back from there:
    // the tiles read it 32 bytes a pixel, Co floats apart, which missed the cache on every read (ResNet-50's
    // block ends: 1.1-1.2x faster measured against reading res in place, alternating in one process).
    if (res)
      for (int i = pb * Co; i < pe * Co; i++) y[i] = res[i];
    const float *rb = res ? y : 0;
    for (int cb = 0; cb < co8; cb += 8) {
      const float *wb = packed + (cb / 8) * block;
      const float *bb = bias ? bias + cb : 0;
      int p = pb;
      for (; p + 4 <= pe; p += 4) {
        float *yp = y + p * Co + cb;
        const float *rp = rb ? rb + p * Co + cb : 0;
        tile4x8(x, offs + p, wb, yp, yp + Co, yp + 2 * Co, yp + 3 * Co, bb, rp, rp ? rp + Co : 0, rp ? rp + 2 * Co : 0,
                rp ? rp + 3 * Co : 0, relu, xRow, KH, KWCi);
      }
      for (; p < pe; p++) tile1x8(x + offs[p], wb, y + p * Co + cb, bb, rb ? rb + p * Co + cb : 0, relu, xRow, KH, KWCi);
    }
    if (co8 < Co)
      for (int p = pb; p < pe; p++)
        pixel(x + offs[p], w, y + p * Co, bias, rb ? rb + p * Co : 0, relu, xRow, KH, KW, Ci, Co, co8);
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

// The input gradient of a convolution with square stride s > 1, one phase at a time: the pixels of dx whose
// padded row and column are ≡ (rh, rw) mod s meet only the filter taps kh ≡ rh, kw ≡ rw (mod s), so each
// phase is a stride-1 correlation of dy with its own mh × mw sub-filter, written in place into dx. 9 taps
// for every 4 pixels of a 3×3 stride-2 filter, where one convolution of all phases with sub-filters padded to
// 2×2 computed 16 and then needed a transpose and a crop.
//
// dyp is dy zero-padded to Hq × Wq pixels of Co channels, with Mh - 1 rows and Mw - 1 columns (Mh = ceil(KH/s),
// the largest phase's taps) before the first; w the phase's sub-filter [mh][mw][Co][Ci], rotated by 180°
// and channel-swapped, and packed its conv_pack copy. Phase pixels are numbered image by image, rows × cols
// each, the first at dx row r0 and column c0; offs holds 2 ints per phase pixel (input and output offsets):
// this call fills and uses entries [2·p0, 2·p1) only. Each value is one sequence of multiply-adds in tap
// order, whatever the split: threads give the same bits.
__attribute__((export_name("dxp_run"))) void dxp_run(const float *dyp, const float *w, const float *packed, float *dx,
                                                     int *offs, int p0, int p1, int rows, int cols, int r0, int c0,
                                                     int s, int pt, int pl, int Hq, int Wq, int Mh, int Mw, int mh,
                                                     int mw, int H, int W, int Co, int Ci) {
  int *in = offs + 2 * p0, *out = in + (p1 - p0);
  for (int p = p0; p < p1; p++) {
    const int img = p / (rows * cols), i = p / cols % rows, j = p % cols;
    const int r = r0 + s * i, c = c0 + s * j;
    const int qr = (r + pt) / s - (mh - 1) + (Mh - 1), qc = (c + pl) / s - (mw - 1) + (Mw - 1);
    in[p - p0] = ((img * Hq + qr) * Wq + qc) * Co;
    out[p - p0] = ((img * H + r) * W + c) * Ci;
  }
  const int xRow = Wq * Co, ci8 = Ci & ~7, KWCo = mw * Co, block = mh * KWCo * 8;
  for (int pb = 0; pb < p1 - p0; pb += PIXEL_BLOCK) {
    const int pe = pb + PIXEL_BLOCK < p1 - p0 ? pb + PIXEL_BLOCK : p1 - p0;
    for (int cb = 0; cb < ci8; cb += 8) {
      const float *wb = packed + (cb / 8) * block;
      int p = pb;
      for (; p + 4 <= pe; p += 4)
        tile4x8(dyp, in + p, wb, dx + out[p] + cb, dx + out[p + 1] + cb, dx + out[p + 2] + cb, dx + out[p + 3] + cb, 0,
                0, 0, 0, 0, 0, xRow, mh, KWCo);
      for (; p < pe; p++) tile1x8(dyp + in[p], wb, dx + out[p] + cb, 0, 0, 0, xRow, mh, KWCo);
    }
    if (ci8 < Ci)
      for (int p = pb; p < pe; p++) pixel(dyp + in[p], w, dx + out[p], 0, 0, 0, xRow, mh, mw, Co, Ci, ci8);
  }
}
