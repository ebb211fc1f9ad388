import { assertImage, type Image } from '../image';
import { addF32, f32, roundHalfEven } from './util';

/** Interpolation of {@link affine} / {@link rotate} (torchvision supports these two on tensors). */
export type GridInterpolation = 'nearest' | 'bilinear';

/** Options of {@link affine}. */
export interface AffineOptions {
  /** Default `'nearest'` (torchvision's default). */
  interpolation?: GridInterpolation;
  /** Value(s) for pixels mapped from outside the image; default: zeros (torchvision `fill=None`). */
  fill?: number | readonly number[];
  /** Centre of the transform in pixel coordinates, default the image centre. */
  center?: readonly [number, number];
}

/** Options of {@link rotate}. */
export interface RotateOptions extends AffineOptions {
  /** Grow the output to hold the whole rotated image (torchvision `expand`). */
  expand?: boolean;
}

/**
 * torchvision's `_get_inverse_affine_matrix`: the 2×3 matrix mapping output to input coordinates for
 * M = T · C · R(angle) · S(scale) · Shear(sx, sy) · C⁻¹ (angles in degrees).
 *
 * @example
 * ```ts
 * inverseAffineMatrix([0, 0], 90, [0, 0], 1, [0, 0]); // ≈ [0, 1, 0, -1, 0, 0]
 * ```
 */
export function inverseAffineMatrix(
  center: readonly [number, number],
  angle: number,
  translate: readonly [number, number],
  scale: number,
  shear: readonly [number, number],
): number[] {
  // As Python's math.radians (torchvision's): d · (π/180), not (d · π)/180 — they differ in the last bit.
  const rad = (d: number): number => d * (Math.PI / 180);
  const rot = rad(angle);
  const sx = rad(shear[0]);
  const sy = rad(shear[1]);
  const [cx, cy] = center;
  const [tx, ty] = translate;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
  m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
  m[2] += cx;
  m[5] += cy;
  return m;
}

/**
 * Sample `img` on the grid of torchvision's `_gen_affine_grid` + `grid_sample(align_corners=False)`, emulating
 * its float32 arithmetic so that nearest-neighbour picks the same pixels.
 */
function gridTransform(
  img: Image,
  matrix: readonly number[],
  oh: number,
  ow: number,
  mode: GridInterpolation,
  fill: number | readonly number[] | undefined,
): Image {
  const { height: h, width: w, channels: c, data } = img;
  const hasFill = fill !== undefined;
  const fills = new Array<number>(c).fill(0);
  if (hasFill) {
    const f = typeof fill === 'number' ? [fill] : fill;
    if (f.length !== 1 && f.length !== c) {
      throw new RangeError(`transforms/affine: fill has ${f.length} values but the image has ${c} channels`);
    }
    for (let k = 0; k < c; k++) fills[k] = f32(f.length === 1 ? f[0] : f[k]);
  }
  // rescaled theta (float32): theta^T / [w/2, h/2]
  const hw = f32(0.5 * w);
  const hh = f32(0.5 * h);
  const r00 = f32(f32(matrix[0]) / hw); // x coefficient for grid x
  const r10 = f32(f32(matrix[1]) / hw);
  const r20 = f32(f32(matrix[2]) / hw);
  const r01 = f32(f32(matrix[3]) / hh);
  const r11 = f32(f32(matrix[4]) / hh);
  const r21 = f32(f32(matrix[5]) / hh);
  const halfW = w / 2;
  const halfH = h / 2;
  const out = new Uint8Array(oh * ow * c);
  const acc = new Float64Array(c);
  const wts = new Float64Array(4);
  for (let oy = 0; oy < oh; oy++) {
    const by = oy + 0.5 - oh * 0.5;
    for (let ox = 0; ox < ow; ox++) {
      const bx = ox + 0.5 - ow * 0.5;
      // torch's bmm of the [bx, by, 1] grid with theta as OpenBLAS's sgemm computes it in float32:
      // bx·a, then fused + by·b, then + c. (With Debian's reference libblas instead, torch rounds both
      // products before adding: its own results then differ at ties; our fixtures are made with OpenBLAS,
      // see tools/common/blas.py.)
      const gx = addF32(addF32(f32(bx * r00), by * r10), r20);
      const gy = addF32(addF32(f32(bx * r01), by * r11), r21);
      // grid_sample unnormalise, align_corners=False: (g + 1) * size / 2 - 0.5, which torch's vectorised
      // CPU kernel computes as one fused multiply-add (one rounding). On quarter turns of odd-sized images
      // the exact value is a half-integer tie, and that single rounding decides whole rows. (In double,
      // (g + 1) · size/2 is exact, so one correctly rounded add gives the fused result.)
      const ix = addF32(addF32(gx, 1) * halfW, -0.5);
      const iy = addF32(addF32(gy, 1) * halfH, -0.5);
      const d = (oy * ow + ox) * c;
      if (mode === 'nearest') {
        const nx = roundHalfEven(ix);
        const ny = roundHalfEven(iy);
        if (nx >= 0 && nx < w && ny >= 0 && ny < h) {
          const s = (ny * w + nx) * c;
          for (let k = 0; k < c; k++) out[d + k] = data[s + k];
        } else {
          for (let k = 0; k < c; k++) out[d + k] = fills[k];
        }
        continue;
      }
      const x0 = Math.floor(ix);
      const y0 = Math.floor(iy);
      const fx = f32(ix - x0);
      const fy = f32(iy - y0);
      const ex = f32(1 - fx);
      const sy = f32(1 - fy);
      wts[0] = f32(sy * ex);
      wts[1] = f32(sy * fx);
      wts[2] = f32(fy * ex);
      wts[3] = f32(fy * fx);
      acc.fill(0);
      let mask = 0;
      for (let q = 0; q < 4; q++) {
        const xq = x0 + (q & 1);
        const yq = y0 + (q >> 1);
        if (xq < 0 || xq >= w || yq < 0 || yq >= h) continue;
        const s = (yq * w + xq) * c;
        const wq = wts[q];
        // float32 multiply-add chain, corner by corner, as torch's grid_sample kernel
        mask = f32(mask + wq);
        for (let k = 0; k < c; k++) acc[k] = f32(acc[k] + data[s + k] * wq);
      }
      for (let k = 0; k < c; k++) {
        let v = f32(acc[k]);
        if (hasFill) v = f32(f32(v * f32(mask)) + f32(f32(1 - f32(mask)) * fills[k]));
        const r = roundHalfEven(v);
        out[d + k] = r < 0 ? 0 : r > 255 ? 255 : r;
      }
    }
  }
  return { data: out, height: oh, width: ow, channels: c };
}

/** Centre relative to the image centre, as torchvision passes it to the matrix. */
function relativeCenter(img: Image, center: readonly [number, number] | undefined): [number, number] {
  if (!center) return [0, 0];
  return [center[0] - img.width * 0.5, center[1] - img.height * 0.5];
}

/**
 * Affine transform keeping the image size (torchvision `affine` on tensors): rotate by `angle` degrees
 * (clockwise), translate by `translate` pixels, scale, shear by `shear` = [x, y] degrees (a single number is
 * [x, 0]) about `center`.
 *
 * @example
 * ```ts
 * const out = affine(createImage(32, 32, 3), 15, [2, -3], 1.1, [5, 0], { interpolation: 'bilinear', fill: 128 });
 * ```
 */
export function affine(
  img: Image,
  angle: number,
  translate: readonly [number, number],
  scale: number,
  shear: number | readonly number[],
  options: AffineOptions = {},
): Image {
  assertImage(img, 'affine');
  if (!(scale > 0)) throw new RangeError(`transforms/affine: scale must be positive, got ${scale}`);
  const sh: [number, number] =
    typeof shear === 'number' ? [shear, 0] : shear.length === 1 ? [shear[0], shear[0]] : [shear[0], shear[1]];
  const m = inverseAffineMatrix(relativeCenter(img, options.center), angle, [translate[0], translate[1]], scale, sh);
  return gridTransform(img, m, img.height, img.width, options.interpolation ?? 'nearest', options.fill);
}

/**
 * Rotate counter-clockwise by `angle` degrees (torchvision `rotate` on tensors), optionally expanding the
 * canvas to fit.
 *
 * @example
 * ```ts
 * const out = rotate(createImage(32, 32, 3), 30, { interpolation: 'bilinear' });
 * ```
 */
export function rotate(img: Image, angle: number, options: RotateOptions = {}): Image {
  assertImage(img, 'rotate');
  const m = inverseAffineMatrix(relativeCenter(img, options.center), -angle, [0, 0], 1, [0, 0]);
  let oh = img.height;
  let ow = img.width;
  if (options.expand) [ow, oh] = expandedSize(m, img.width, img.height);
  return gridTransform(img, m, oh, ow, options.interpolation ?? 'nearest', options.fill);
}

/** torchvision's `_compute_affine_output_size` (float32 corners, 1e-4 tolerance before ceil/floor). */
function expandedSize(m: readonly number[], w: number, h: number): [number, number] {
  const pts = [
    [-0.5 * w, -0.5 * h],
    [-0.5 * w, 0.5 * h],
    [0.5 * w, 0.5 * h],
    [0.5 * w, -0.5 * h],
  ];
  const t = m.map(f32);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of pts) {
    const nx = f32(f32(f32(x * t[0]) + f32(y * t[1])) + t[2]);
    const ny = f32(f32(f32(x * t[3]) + f32(y * t[4])) + t[5]);
    minX = Math.min(minX, nx);
    maxX = Math.max(maxX, nx);
    minY = Math.min(minY, ny);
    maxY = Math.max(maxY, ny);
  }
  const tol = 1e-4;
  const q = (v: number): number => f32(Math.trunc(f32(v / tol)) * tol);
  const cmaxX = Math.ceil(q(f32(maxX + w * 0.5)));
  const cmaxY = Math.ceil(q(f32(maxY + h * 0.5)));
  const cminX = Math.floor(q(f32(minX + w * 0.5)));
  const cminY = Math.floor(q(f32(minY + h * 0.5)));
  return [cmaxX - cminX, cmaxY - cminY];
}
