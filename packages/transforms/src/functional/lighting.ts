import { assertImage, type Image } from '../image';
import { roundU8 } from './util';

/**
 * Principal components of ImageNet RGB pixels (on [0, 1] values), as used by AlexNet / fb.resnet.torch.
 *
 * @example
 * ```ts
 * IMAGENET_PCA.eigval; // [0.2175, 0.0188, 0.0045]
 * ```
 */
export const IMAGENET_PCA = {
  eigval: [0.2175, 0.0188, 0.0045] as const,
  eigvec: [
    [-0.5675, 0.7192, 0.4009],
    [-0.5808, -0.0045, -0.814],
    [-0.5836, -0.6948, 0.4203],
  ] as const,
};

/** Eigen-decomposition passed to {@link pcaLighting}. */
export interface PcaBasis {
  eigval: readonly number[];
  eigvec: readonly (readonly number[])[];
}

/**
 * The per-channel offset `eigvec · (alpha ⊙ eigval)` (in [0, 1] units) that AlexNet lighting adds.
 *
 * @example
 * ```ts
 * lightingOffset([0.1, 0, 0]); // ≈ [-0.0123, -0.0126, -0.0127]
 * ```
 */
export function lightingOffset(alpha: readonly number[], basis: PcaBasis = IMAGENET_PCA): [number, number, number] {
  if (alpha.length !== 3) throw new RangeError(`transforms/pcaLighting: alpha must have 3 values, got ${alpha.length}`);
  const rgb: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    for (let j = 0; j < 3; j++) rgb[c] += basis.eigvec[c][j] * alpha[j] * basis.eigval[j];
  }
  return rgb;
}

/**
 * AlexNet's "PCA colour augmentation" (Krizhevsky et al. 2012; the paper's "standard color augmentation"):
 * add `eigvec · (alpha ⊙ eigval)` to every RGB pixel, on the [0, 1] scale, then clamp and round back to uint8.
 * `alpha` is usually drawn from N(0, 0.1²) (see {@link Lighting}). Grayscale images are returned unchanged.
 * For float inputs (after normalisation) use {@link lightingOffset} and add it yourself, as fb.resnet.torch does.
 *
 * @example
 * ```ts
 * const lit = pcaLighting(createImage(8, 8, 3, 128), [0.1, -0.05, 0.02]);
 * ```
 */
export function pcaLighting(img: Image, alpha: readonly number[], basis: PcaBasis = IMAGENET_PCA): Image {
  assertImage(img, 'pcaLighting');
  if (img.channels === 1) return { ...img, data: img.data.slice() };
  const rgb = lightingOffset(alpha, basis);
  const add = rgb.map((v) => v * 255);
  const out = new Uint8Array(img.data.length);
  // A 256-entry table per channel: the op is a per-channel shift.
  for (let c = 0; c < 3; c++) {
    const lut = new Uint8Array(256);
    for (let v = 0; v < 256; v++) lut[v] = roundU8(v + add[c]);
    for (let i = c; i < out.length; i += 3) out[i] = lut[img.data[i]];
  }
  return { ...img, data: out };
}
