import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createImage, resize, rotate, type Image } from '../src/index';
import { GOLDEN_DIR } from './golden';

/** The generator's integer-only test card (tools/transforms/gen_golden.py `large_input`). */
function largeInput(h: number, w: number): Image {
  const img = createImage(h, w, 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        img.data[(y * w + x) * 3 + c] = (Math.floor((x * x + 3 * y * y + 1000 * c) / 64) + ((x * 31 + y * 17 + 7 * c) % 11)) % 256;
      }
    }
  }
  return img;
}

describe('resize at ImageNet scale (375x500 input) equals torchvision', () => {
  const spec = JSON.parse(readFileSync(join(GOLDEN_DIR, 'large.json'), 'utf8')) as {
    input: [number, number];
    cases: Array<{ size: [number, number]; interpolation: 'bilinear' | 'nearest' | 'bicubic'; antialias: boolean; shape: number[]; sha256: string; offset?: number }>;
  };
  const blob = new Uint8Array(gunzipSync(readFileSync(join(GOLDEN_DIR, 'large.bin.gz'))));
  const img = largeInput(spec.input[0], spec.input[1]);

  test.each(spec.cases.filter((c) => c.interpolation !== 'bicubic').map((c) => [`${c.interpolation} ${c.size.join('x')}`, c] as const))(
    '%s is bit-exact',
    (_name, c) => {
      const out = resize(img, c.size, { interpolation: c.interpolation, antialias: c.antialias });
      expect([out.height, out.width, out.channels]).toEqual(c.shape);
      expect(createHash('sha256').update(out.data).digest('hex')).toBe(c.sha256);
    },
  );

  test('bicubic (antialias) within 1 LSB on >= 99.9% of values', () => {
    const c = spec.cases.find((k) => k.offset !== undefined)!;
    const out = resize(img, c.size, { interpolation: 'bicubic', antialias: true });
    const ref = blob.subarray(c.offset!, c.offset! + out.data.length);
    let within = 0;
    for (let i = 0; i < ref.length; i++) if (Math.abs(out.data[i] - ref[i]) <= 1) within++;
    expect(ref.length).toBe(c.shape[0] * c.shape[1] * 3);
    expect(within / ref.length).toBeGreaterThanOrEqual(0.999);
  });
});

// Quarter turns of odd-sized images put source coordinates exactly half-way between pixels: torch's float32
// arithmetic decides whole rows there (tools/transforms/gen_rotate_large.py).
describe('rotate by quarter turns of odd-sized images equals torchvision', () => {
  const spec = JSON.parse(readFileSync(join(GOLDEN_DIR, 'rotate-large.json'), 'utf8')) as {
    cases: Array<{ input: [number, number]; angle: number; interpolation: 'nearest' | 'bilinear'; expand: boolean; shape: number[]; sha256: string }>;
  };
  const cards = new Map<string, Image>();
  test.each(spec.cases.map((c) => [`${c.input.join('x')} ${c.angle}° ${c.interpolation}${c.expand ? ' expand' : ''}`, c] as const))(
    '%s is bit-exact',
    (_name, c) => {
      const key = c.input.join('x');
      if (!cards.has(key)) cards.set(key, largeInput(c.input[0], c.input[1]));
      const out = rotate(cards.get(key)!, c.angle, { interpolation: c.interpolation, expand: c.expand });
      expect([out.height, out.width, out.channels]).toEqual(c.shape);
      expect(createHash('sha256').update(out.data).digest('hex')).toBe(c.sha256);
    },
  );
});
