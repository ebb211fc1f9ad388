/** Shared numeric helpers reproducing torch's float32 / rounding behaviour. */

export const f32 = Math.fround;

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
