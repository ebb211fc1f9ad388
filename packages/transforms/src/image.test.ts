import { assertImage, cloneImage, createImage, imageFromBytes } from './image';
import { crop, pad, resize, posterize, adjustHue, fiveCrop } from './functional/index';

describe('Image validation', () => {
  test('clear errors naming the op and the problem', () => {
    expect(() => imageFromBytes(new Uint8Array(10), 2, 2, 3)).toThrow(/imageFromBytes: data has 10 bytes but 2x2x3 needs 12/);
    expect(() => createImage(2, 2, 4)).toThrow(/channels must be 1 or 3/);
    expect(() => assertImage({ data: [1, 2, 3] as unknown as Uint8Array, height: 1, width: 1, channels: 3 }, 'myOp')).toThrow(/myOp: expected an Image/);
    const img = createImage(4, 5, 3);
    expect(() => crop(img, 0, 0, 1.5, 2)).toThrow(/crop: top, left, height, width must be integers/);
    expect(() => pad(img, [1, 2, 3])).toThrow(/pad: padding must be a number or 1, 2 or 4 numbers/);
    expect(() => pad(img, 1, { paddingMode: 'wrap' as never })).toThrow(/paddingMode/);
    expect(() => resize(img, [2, 2], { maxSize: 5 })).toThrow(/maxSize is only allowed/);
    expect(() => resize(img, 3, { maxSize: 3 })).toThrow(/must be strictly greater/);
    expect(() => posterize(img, 9)).toThrow(/bits must be an integer in \[0, 8\]/);
    expect(() => adjustHue(img, 0.6)).toThrow(/\[-0.5, 0.5\]/);
    expect(() => fiveCrop(img, 6)).toThrow(/bigger than input size/);
  });

  test('imageFromBytes wraps without copying (Uint8ClampedArray too); cloneImage copies', () => {
    const bytes = new Uint8ClampedArray(12);
    const img = imageFromBytes(bytes, 2, 2, 3);
    bytes[0] = 7;
    expect(img.data[0]).toBe(7);
    const copy = cloneImage(img);
    copy.data[0] = 9;
    expect(img.data[0]).toBe(7);
    expect(createImage(1, 2, 1, 5).data).toEqual(new Uint8Array([5, 5]));
  });
});
