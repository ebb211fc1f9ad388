import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpy, encodeNpy, readNpy, writeNpy, toFloat32, NpyError } from './npy';

// Fixtures were written by numpy (tools/cli/gen_npy_fixtures.py); the values follow the formula below.
const FIX = join(__dirname, '..', 'fixtures', 'npy');
const fix = (name: string) => join(FIX, name);

function expected(kind: 'f' | 'i' | 'u' | 'b', n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    if (kind === 'f') return Math.sin(i * 0.37) * 3.5;
    if (kind === 'b') return i % 3 === 0 ? 1 : 0;
    if (kind === 'u') return (i * 37) % 251;
    return ((i * 37) % 251) - 125;
  });
}

const CASES: Array<[string, string, 'f' | 'i' | 'u' | 'b']> = [
  ['f4_le.npy', 'float32', 'f'], ['f4_be.npy', 'float32', 'f'],
  ['f8_le.npy', 'float64', 'f'], ['f8_be.npy', 'float64', 'f'],
  ['i1_na.npy', 'int8', 'i'], ['u1_na.npy', 'uint8', 'u'],
  ['i4_le.npy', 'int32', 'i'], ['i4_be.npy', 'int32', 'i'],
  ['i8_le.npy', 'int64', 'i'], ['i8_be.npy', 'int64', 'i'],
  ['u4_le.npy', 'uint32', 'u'], ['u4_be.npy', 'uint32', 'u'],
  ['b1_na.npy', 'bool', 'b'], ['f4_v2.npy', 'float32', 'f'], ['f4_v3.npy', 'float32', 'f'],
];

describe('readNpy on files numpy wrote', () => {
  test.each(CASES)('%s', (file, dtype, kind) => {
    const a = readNpy(fix(file));
    expect(a.dtype).toBe(dtype);
    expect(a.shape).toEqual([2, 3, 4]);
    const want = expected(kind, 24);
    const got = Array.from(a.data, Number);
    const tol = dtype === 'float32' ? 1e-6 : dtype === 'float64' ? 1e-12 : 0;
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tol));
  });

  it('reads scalars, 1-d and empty arrays', () => {
    expect(readNpy(fix('f4_scalar.npy'))).toMatchObject({ shape: [], data: new Float32Array([2.5]) });
    expect(readNpy(fix('f4_1d.npy')).shape).toEqual([5]);
    const e = readNpy(fix('f4_empty.npy'));
    expect(e.shape).toEqual([0, 3]);
    expect(e.data.length).toBe(0);
  });

  it('refuses fortran order, unknown dtypes, bad magic and truncation, naming the file', () => {
    expect(() => readNpy(fix('f4_fortran.npy'))).toThrow(/f4_fortran\.npy.*Fortran order.*ascontiguousarray/);
    expect(() => readNpy(fix('c8_unsupported.npy'))).toThrow(/c8_unsupported\.npy: unsupported dtype '<c8'/);
    expect(() => decodeNpy(new Uint8Array(20), 'x.npy')).toThrow(/x\.npy: not a \.npy file/);
    const bytes = readFileSync(fix('f4_le.npy'));
    expect(() => decodeNpy(bytes.subarray(0, bytes.length - 4), 'cut.npy')).toThrow(/cut\.npy: .*needs 96 data bytes/);
    expect(() => readNpy(fix('missing.npy'))).toThrow(NpyError);
    expect(() => readNpy(fix('missing.npy'))).toThrow(/missing\.npy: cannot read file \(ENOENT\)/);
  });
});

describe('encodeNpy writes what numpy writes', () => {
  test.each([
    ['f4_le.npy', 'little'], ['f4_be.npy', 'big'], ['f8_be.npy', 'big'], ['i1_na.npy', 'little'],
    ['u1_na.npy', 'little'], ['i4_le.npy', 'little'], ['i8_be.npy', 'big'], ['u4_le.npy', 'little'],
    ['b1_na.npy', 'little'], ['f4_1d.npy', 'little'], ['f4_scalar.npy', 'little'],
  ] as const)('%s byte for byte', (file, endian) => {
    const bytes = readFileSync(fix(file));
    const a = decodeNpy(bytes, file);
    expect(Buffer.from(encodeNpy(a, { endian })).equals(bytes)).toBe(true);
  });

  it('round-trips through a file and converts to float32', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    try {
      const p = join(dir, 'a.npy');
      writeNpy(p, { dtype: 'int32', shape: [3], data: new Int32Array([-1, 0, 7]) });
      expect(toFloat32(readNpy(p))).toEqual(new Float32Array([-1, 0, 7]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects data whose length does not match the shape', () => {
    expect(() => encodeNpy({ dtype: 'float32', shape: [2, 2], data: new Float32Array(3) })).toThrow(/4 elements but data has 3/);
  });
});
