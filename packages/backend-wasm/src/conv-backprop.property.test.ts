import { Rng } from '@residual/tensor';
import '@residual/backend-wasm';
import { convGrads, describeCase, onBothBackends, relError, type ConvCase, type Pad } from './kernels/testing/conv-grads';

const TOL = 1e-4;
const COUNT = 60;

/** Draws a random, valid conv2d configuration (every output dim ≥ 1). */
function drawCase(rng: Rng): ConvCase {
  for (;;) {
    const kh = [1, 1, 2, 3, 3, 3, 5, 7][rng.randint(0, 8)];
    const kw = rng.uniform() < 0.8 ? kh : [1, 2, 3, 5][rng.randint(0, 4)];
    const square = rng.uniform() < 0.8;
    const sh = rng.randint(1, 4);
    const strides: [number, number] = [sh, square ? sh : rng.randint(1, 4)];
    const c: ConvCase = {
      n: rng.randint(1, 4),
      h: rng.randint(1, 14),
      w: rng.randint(1, 14),
      // Up to 12 and 20 channels: our filter-gradient kernel's 4×8 tiles and their 1×4 and scalar tails.
      ci: rng.randint(1, 13),
      co: rng.randint(1, 21),
      kh,
      kw,
      strides,
      pad: 'same',
    };
    const kind = rng.randint(0, 4);
    let pad: Pad = 'same';
    if (kind === 1) pad = 'valid';
    // tfjs-core sizes numeric pads with the row stride on both axes, so only draw them for square strides.
    if (kind === 2 && strides[0] === strides[1]) {
      pad = rng.randint(0, 4);
      if (rng.uniform() < 0.5) c.dimRoundingMode = (['floor', 'round', 'ceil'] as const)[rng.randint(0, 3)];
    }
    if (kind === 3) pad = [[0, 0], [rng.randint(0, kh + 1), rng.randint(0, kh + 1)], [rng.randint(0, kw + 1), rng.randint(0, kw + 1)], [0, 0]];
    c.pad = pad;
    if (outSize(c, 0) >= 1 && outSize(c, 1) >= 1) return c;
  }
}

function outSize(c: ConvCase, axis: 0 | 1): number {
  const inp = axis === 0 ? c.h : c.w;
  const k = axis === 0 ? c.kh : c.kw;
  const s = c.strides[axis];
  if (c.pad === 'same') return Math.ceil(inp / s);
  if (c.pad === 'valid') return Math.ceil((inp - k + 1) / s);
  if (typeof c.pad === 'number') {
    const v = (inp - k + 2 * c.pad) / s + 1;
    const mode = c.dimRoundingMode ?? 'truncate';
    return mode === 'ceil' ? Math.ceil(v) : mode === 'round' ? Math.round(v) : Math.floor(v);
  }
  const [a, b] = c.pad[axis + 1];
  return Math.floor((inp + a + b - k) / s) + 1;
}

describe(`property: ${COUNT} random conv2d configurations, wasm outputs (plain, fused bias+ReLU, with a residual) and gradients equal cpu within ${TOL}`, () => {
  const rng = new Rng(20261122);
  const cases = Array.from({ length: COUNT }, () => drawCase(rng));
  let results: Awaited<ReturnType<typeof onBothBackends>>;
  beforeAll(async () => {
    results = await onBothBackends(cases, (c, i) => convGrads(c, 1000 + i));
  });

  test('draws cover strides 1-3, every pad kind, 1×1 and 7×7 kernels, batch 1 and > 1', () => {
    const kinds = new Set(cases.map((c) => (Array.isArray(c.pad) ? 'explicit' : typeof c.pad === 'number' ? 'number' : c.pad)));
    expect([...kinds].sort()).toEqual(['explicit', 'number', 'same', 'valid']);
    expect(new Set(cases.map((c) => c.strides[0]))).toEqual(new Set([1, 2, 3]));
    expect(cases.some((c) => c.kh === 1 && c.kw === 1)).toBe(true);
    expect(cases.some((c) => c.kh === 7)).toBe(true);
    expect(cases.some((c) => c.n === 1) && cases.some((c) => c.n > 1)).toBe(true);
  });

  test.each(cases.map((c, i) => [describeCase(c), i] as const))('%s', (_name, i) => {
    const { cpu, wasm } = results;
    expect(relError(wasm[i].y, cpu[i].y)).toBeLessThanOrEqual(TOL);
    expect(relError(wasm[i].fused, cpu[i].fused)).toBeLessThanOrEqual(TOL);
    expect(relError(wasm[i].residual, cpu[i].residual)).toBeLessThanOrEqual(TOL);
    expect(relError(wasm[i].residualLinear, cpu[i].residualLinear)).toBeLessThanOrEqual(TOL);
    expect(relError(wasm[i].dx, cpu[i].dx)).toBeLessThanOrEqual(TOL);
    expect(relError(wasm[i].dw, cpu[i].dw)).toBeLessThanOrEqual(TOL);
  });
});
