// Gradient of a 2-D convolution with respect to its filter, NHWC input, HWIO filter, on wasm SIMD128.
//
//   dw[kh,kw,ci,co] = sum over (n,ho,wo) of x[n, ho*sh+kh-pt, wo*sw+kw-pl, ci] * dy[n,ho,wo,co]
//
// Built by scripts/build-native.mjs with Debian's clang (wasm32, -msimd128) into a module that imports
// the tfjs-backend-wasm linear memory and reads and writes tensors in place. The module must never touch
// memory it was not given a pointer to: no static data, no stack (the build script checks the binary has
// neither a data section nor a stack-pointer global).
//
// Why a kernel of our own: expressed as one XNNPACK convolution (batch as channels, dy as the filter) the
// reduction runs over n*Ho*Wo with tiny M and N, streams megabytes of packed "weights" per output tile and
// needs two full transposes; it ran at a third of the forward convolution's speed. Here each unit of work
// is a block of output rows of one image: its pixels stay in L1/L2 while every tap, input-channel block
// and output-channel block sweeps them with a 4x8 register tile (8 accumulators, 2 dy vectors, 1 splat).
// Threads split the filter (taps x output-channel blocks), never the reduction, so any thread count gives
// the same bits.

#include "madd.h"

static inline int imax(int a, int b) { return a > b ? a : b; }
static inline int imin(int a, int b) { return a < b ? a : b; }

// 1 input channel x 4 output channels: the tails (Ci not a multiple of 4, Co not a multiple of 8).
static inline void tile1x4(const float *xb, const float *dyb, float *dwp, int Co, int rows, int cols,
                           int xRow, int xCol, int dyRow) {
  v128_t a = wasm_v128_load(dwp);
  for (int r = 0; r < rows; r++) {
    const float *xp = xb + r * xRow;
    const float *dp = dyb + r * dyRow;
    for (int c = 0; c < cols; c++) {
      a = madd(a, wasm_v128_load32_splat(xp), wasm_v128_load(dp));
      xp += xCol;
      dp += Co;
    }
  }
  wasm_v128_store(dwp, a);
}

// n = 1..4 input channels x 8 output channels over the pixels of rows [ho0, ho1) and columns [wo0, wo1):
// 2n accumulators, 2 dy vectors, 1 splat a channel. Called with a constant n (4 for the full blocks, 1..3
// for the tail), so each call is compiled for its channel count. The tail once went through tile1x4, one
// accumulator at a time: the same multiply-adds in the same order (the same bits), but waiting on each
// one's latency, which was all of a 3-channel stem.
static inline void tilenx8(const float *xb, const float *dyb, float *dwp, int Co, int rows, int cols, int xRow,
                          int xCol, int dyRow, int n) {
  v128_t a00 = wasm_v128_load(dwp), a01 = wasm_v128_load(dwp + 4);
  v128_t a10 = n > 1 ? wasm_v128_load(dwp + Co) : a00, a11 = n > 1 ? wasm_v128_load(dwp + Co + 4) : a01;
  v128_t a20 = n > 2 ? wasm_v128_load(dwp + 2 * Co) : a00, a21 = n > 2 ? wasm_v128_load(dwp + 2 * Co + 4) : a01;
  v128_t a30 = n > 3 ? wasm_v128_load(dwp + 3 * Co) : a00, a31 = n > 3 ? wasm_v128_load(dwp + 3 * Co + 4) : a01;
  for (int r = 0; r < rows; r++) {
    const float *xp = xb + r * xRow;
    const float *dp = dyb + r * dyRow;
    for (int c = 0; c < cols; c++) {
      const v128_t d0 = wasm_v128_load(dp), d1 = wasm_v128_load(dp + 4);
      v128_t s = wasm_v128_load32_splat(xp);
      a00 = madd(a00, s, d0);
      a01 = madd(a01, s, d1);
      if (n > 1) {
        s = wasm_v128_load32_splat(xp + 1);
        a10 = madd(a10, s, d0);
        a11 = madd(a11, s, d1);
      }
      if (n > 2) {
        s = wasm_v128_load32_splat(xp + 2);
        a20 = madd(a20, s, d0);
        a21 = madd(a21, s, d1);
      }
      if (n > 3) {
        s = wasm_v128_load32_splat(xp + 3);
        a30 = madd(a30, s, d0);
        a31 = madd(a31, s, d1);
      }
      xp += xCol;
      dp += Co;
    }
  }
  wasm_v128_store(dwp, a00); wasm_v128_store(dwp + 4, a01);
  if (n > 1) { wasm_v128_store(dwp + Co, a10); wasm_v128_store(dwp + Co + 4, a11); }
  if (n > 2) { wasm_v128_store(dwp + 2 * Co, a20); wasm_v128_store(dwp + 2 * Co + 4, a21); }
  if (n > 3) { wasm_v128_store(dwp + 3 * Co, a30); wasm_v128_store(dwp + 3 * Co + 4, a31); }
}

static inline float dot1x1(const float *xb, const float *dyb, int Co, int rows, int cols, int xRow, int xCol,
                           int dyRow) {
  float a = 0.f;
  for (int r = 0; r < rows; r++) {
    const float *xp = xb + r * xRow;
    const float *dp = dyb + r * dyRow;
    for (int c = 0; c < cols; c++) {
      a += *xp * *dp;
      xp += xCol;
      dp += Co;
    }
  }
  return a;
}

// Smallest o >= 0 with o*s + off >= 0, i.e. ceil(-off / s) clamped at 0.
static inline int firstValid(int off, int s) { return off >= 0 ? 0 : (-off + s - 1) / s; }
// One past the largest o with o*s + off <= size-1 (0 when none).
static inline int endValid(int off, int s, int size) {
  int last = size - 1 - off;
  return last < 0 ? 0 : last / s + 1;
}

// Output-channel blocks: 8 wide, then one block for the remainder (Co mod 8, 4-wide then scalar).
static inline int coBlocks(int Co) { return (Co >> 3) + ((Co & 7) ? 1 : 0); }

// Computes the work items [i0, i1) of dw over every pixel. Item i is filter tap i / coBlocks(Co) and
// output-channel block i % coBlocks(Co); threads take disjoint items, so each output element is summed by
// one thread in one fixed order and results are bit-identical whatever the thread count. Pixels are
// visited in units of `rowsPerUnit` output rows of one image, each swept by all the thread's items while
// it is in cache.
__attribute__((export_name("fg_run"))) void fg_run(const float *x, const float *dy, float *dw, int i0, int i1,
                                                   int rowsPerUnit, int N, int H, int W, int Ci, int Ho, int Wo,
                                                   int Co, int KH, int KW, int sh, int sw, int pt, int pl) {
  const int nb = coBlocks(Co);
  const int co8 = Co & ~7, ci4 = Ci & ~3;
  for (int i = i0; i < i1; i++) {
    const int tap = i / nb, cb = (i % nb) * 8, cw = imin(8, Co - cb);
    float *dwt = dw + tap * Ci * Co + cb;
    for (int ci = 0; ci < Ci; ci++)
      for (int c = 0; c < cw; c++) dwt[ci * Co + c] = 0.f;
  }
  const int unitsPerImage = (Ho + rowsPerUnit - 1) / rowsPerUnit;
  const int xRowStride = sh * W * Ci, xCol = sw * Ci, dyRow = Wo * Co;
  for (int u = 0; u < N * unitsPerImage; u++) {
    const int n = u / unitsPerImage;
    const int r0 = (u % unitsPerImage) * rowsPerUnit;
    const int r1 = imin(Ho, r0 + rowsPerUnit);
    for (int i = i0; i < i1; i++) {
      const int tap = i / nb, cb = (i % nb) * 8;
      const int kh = tap / KW, kw = tap % KW;
      const int offH = kh - pt, offW = kw - pl;
      const int h0 = imax(r0, firstValid(offH, sh)), h1 = imin(r1, endValid(offH, sh, H));
      const int w0 = firstValid(offW, sw), w1 = imin(Wo, endValid(offW, sw, W));
      if (h0 >= h1 || w0 >= w1) continue;
      const int rows = h1 - h0, cols = w1 - w0;
      const float *xb = x + ((n * H + h0 * sh + offH) * W + w0 * sw + offW) * Ci;
      const float *dyb = dy + ((n * Ho + h0) * Wo + w0) * Co + cb;
      float *dwt = dw + tap * Ci * Co + cb;
      if (cb < co8) {
        int ci = 0;
        for (; ci < ci4; ci += 4) tilenx8(xb + ci, dyb, dwt + ci * Co, Co, rows, cols, xRowStride, xCol, dyRow, 4);
        switch (Ci - ci) {
          case 3: tilenx8(xb + ci, dyb, dwt + ci * Co, Co, rows, cols, xRowStride, xCol, dyRow, 3); break;
          case 2: tilenx8(xb + ci, dyb, dwt + ci * Co, Co, rows, cols, xRowStride, xCol, dyRow, 2); break;
          case 1: tilenx8(xb + ci, dyb, dwt + ci * Co, Co, rows, cols, xRowStride, xCol, dyRow, 1); break;
        }
      } else {
        const int cw = Co - cb;
        for (int ci = 0; ci < Ci; ci++) {
          int c = 0;
          if (cw >= 4) {
            tile1x4(xb + ci, dyb, dwt + ci * Co, Co, rows, cols, xRowStride, xCol, dyRow);
            c = 4;
          }
          for (; c < cw; c++) dwt[ci * Co + c] += dot1x1(xb + ci, dyb + c, Co, rows, cols, xRowStride, xCol, dyRow);
        }
      }
    }
  }
}

// Work items of fg_run for this output-channel count and kernel size.
__attribute__((export_name("fg_items"))) int fg_items(int Co, int KH, int KW) { return KH * KW * coBlocks(Co); }
