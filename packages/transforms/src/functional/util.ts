/** Shared numeric helpers reproducing torch's float32 / rounding behaviour. */

export const f32 = Math.fround;

/**
 * `a + b`, rounded once to float32 — what a float32 fused multiply-add (`fma(x, y, a)` with `b = x·y`
 * exact in double) or a float32 add gives. `Math.fround(a + b)` rounds twice (to double, then to float32)
 * and is off by one float32 step when the double sum lands exactly half-way between two float32 values
 * while the exact sum does not: the tie cases that decide whole rows of a quarter-turn rotation.
 */
export function addF32(a: number, b: number): number {
  const s = a + b;
  const r = f32(s);
  if (r === s) return r;
  // TwoSum: the exact sum is s + e.
  const bb = s - a;
  const e = a - (s - bb) + (b - bb);
  if (e === 0) return r;
  const other = 2 * s - r;
  // s half-way between the float32 values r and other: the sign of e says which side the exact sum is on.
  if (f32(other) === other && other - s === s - r) return e > 0 === other > s ? other : r;
  return r;
}

/** torch.round: round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; fix the ties that should go to the even neighbour.
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/** `.clamp(0, 255)` then `.to(uint8)` (truncation toward zero), as torch does after float maths. */
export function truncU8(x: number): number {
  if (!(x > 0)) return 0;
  if (x >= 255) return 255;
  return x | 0;
}

/** Round half to even and clamp to [0, 255]. */
export function roundU8(x: number): number {
  if (!(x > 0)) return 0;
  if (x >= 255) return 255;
  const r = Math.round(x);
  return r - x === 0.5 && (r & 1) === 1 ? r - 1 : r;
}

/** Normalise a `size` argument (int or [h, w] or [s]) to [h, w]. */
export function pairSize(size: number | readonly number[], where: string): [number, number] {
  if (typeof size === 'number') return [size, size];
  if (size.length === 1) return [size[0], size[0]];
  if (size.length === 2) return [size[0], size[1]];
  throw new RangeError(`transforms/${where}: size must be a number or [h, w], got [${size.join(', ')}]`);
}

/** Per-channel fill values (`fill` may be a number or one value per channel). */
export function fillPerChannel(fill: number | readonly number[] | undefined, channels: number, where: string): number[] {
  if (fill === undefined) return new Array(channels).fill(0);
  if (typeof fill === 'number') return new Array(channels).fill(fill);
  if (fill.length === 1) return new Array(channels).fill(fill[0]);
  if (fill.length !== channels) {
    throw new RangeError(`transforms/${where}: fill has ${fill.length} values but the image has ${channels} channels`);
  }
  return [...fill];
}
