import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, useBackend } from '@residual/tensor';
import {
  BasicBlock,
  SafetensorsError,
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  readSafetensorsHeader,
  saveSafetensors,
} from '../index';
import { FIXTURES, formula, readJson, type LayerCase } from '../testing/fixtures';

beforeAll(async () => {
  await useBackend('cpu');
});

const blockPath = join(FIXTURES, 'block.safetensors');

/** A file from a header object and a data section. */
function craft(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors files written from PyTorch', () => {
  it('loads a torchvision BasicBlock state dict (I64 num_batches_tracked) into a BasicBlock', async () => {
    const sd = await loadSafetensors(blockPath);
    const { cases } = readJson<{ cases: LayerCase[] }>('layers.json');
    const c = cases.find((k) => k.name === 'basic_block_B')!;
    expect(Object.keys(sd)).toEqual(c.keys.map(([k]) => k));
    expect(sd['bn1.num_batches_tracked'].dtype).toBe('int32');
    expect(sd['bn1.num_batches_tracked'].dataSync()[0]).toBe(3);
    for (const [k, spec] of Object.entries(c.state)) {
      const want = formula(spec);
      expect([k, sd[k].shape]).toEqual([k, spec.shape]);
      expect(Array.from(sd[k].dataSync())).toEqual(Array.from(want.dataSync()));
      want.dispose();
    }
    const block = new BasicBlock(4, 8, { stride: 2 });
    expect(block.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(Array.from(block.conv1.weight.shape)).toEqual([3, 3, 4, 8]);
    const header = readSafetensorsHeader(readFileSync(blockPath));
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.tensors['bn1.num_batches_tracked'].dtype).toBe('I64');
    tf.dispose(Object.values(sd));
    block.dispose();
  });

  it('loadSafetensors also takes bytes', async () => {
    const sd = await loadSafetensors(new Uint8Array(readFileSync(blockPath)));
    expect(Object.keys(sd)).toContain('downsample.1.num_batches_tracked');
    tf.dispose(Object.values(sd));
  });

  it('re-encodes the PyTorch-written file byte for byte', () => {
    const bytes = new Uint8Array(readFileSync(blockPath));
    const sd = decodeSafetensors(bytes);
    const again = encodeSafetensors(sd, { metadata: { format: 'pt' } });
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    tf.dispose(Object.values(sd));
  });

  it('reads every dtype torch wrote (F16, BF16, F64, I64, I32, I16, I8, U8, BOOL, empty)', () => {
    const sd = decodeSafetensors(readFileSync(join(FIXTURES, 'dtypes.safetensors')));
    const expected = readJson<Record<string, { shape: number[]; values: number[] }>>('dtypes.json');
    expect(Object.keys(sd).sort()).toEqual(Object.keys(expected).sort());
    for (const [k, { shape, values }] of Object.entries(expected)) {
      expect([k, sd[k].shape]).toEqual([k, shape]);
      const got = Array.from(sd[k].dataSync());
      const exact = sd[k].dtype !== 'float32';
      values.forEach((v, i) => expect([k, i, got[i]]).toEqual([k, i, exact ? v : Math.fround(v)]));
    }
    expect(sd.f16.dtype).toBe('float32');
    expect(sd.i64.dtype).toBe('int32');
    expect(sd.u8.dtype).toBe('int32');
    expect(sd.bool.dtype).toBe('bool');
    tf.dispose(Object.values(sd));
  });
});

describe('safetensors round trip', () => {
  it('saves a module and loads it back into another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nn-st-'));
    try {
      const a = new BasicBlock(4, 8, { stride: 2 });
      const b = new BasicBlock(4, 8, { stride: 2 });
      const path = join(dir, 'a.safetensors');
      await saveSafetensors(path, a);
      const sd = await loadSafetensors(path);
      expect(
        readSafetensorsHeader(readFileSync(path)).tensors['downsample.1.num_batches_tracked'].dtype,
      ).toBe('I64');
      b.loadStateDict(sd);
      for (const [[ka, va], [kb, vb]] of a.namedParameters().map((p, i) => [p, b.namedParameters()[i]])) {
        expect(kb).toBe(ka);
        expect(Array.from(vb.dataSync())).toEqual(Array.from(va.dataSync()));
      }
      tf.dispose(Object.values(sd));
      a.dispose();
      b.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps int32, bool, scalars, empty tensors and metadata', () => {
    const rec = {
      a: tf.tensor([1.5, -2], [2]),
      n: tf.tensor([[7, -8]], [1, 2], 'int32'),
      m: tf.tensor([true, false], [2], 'bool'),
      s: tf.scalar(3),
      e: tf.zeros([0, 4]),
    };
    const bytes = encodeSafetensors(rec, { metadata: { epoch: '3' } });
    expect((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    for (const [k, t] of Object.entries(rec)) {
      expect([k, back[k].dtype, back[k].shape]).toEqual([k, t.dtype, t.shape]);
      expect(Array.from(back[k].dataSync())).toEqual(Array.from(t.dataSync()));
    }
    expect(readSafetensorsHeader(bytes).metadata).toEqual({ epoch: '3' });
    tf.dispose([...Object.values(rec), ...Object.values(back)]);
  });
});

describe('safetensors corruption errors name the file and the problem', () => {
  const good = {
    x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    y: { dtype: 'I32', shape: [1], data_offsets: [8, 12] },
  };
  const data = new Uint8Array(12);
  const bad = (bytes: Uint8Array) => () => decodeSafetensors(bytes, { source: 'bad.safetensors' });

  it('accepts the well-formed base case', () => {
    const sd = decodeSafetensors(craft(good, data));
    expect(Object.keys(sd)).toEqual(['x', 'y']);
    tf.dispose(Object.values(sd));
  });
  it('truncated before the header length', () => {
    expect(bad(new Uint8Array(5))).toThrow(/^bad\.safetensors: truncated safetensors file: 5 bytes/);
  });
  it('header length beyond the file', () => {
    expect(bad(craft(good, data).subarray(0, 30))).toThrow(
      /bad\.safetensors: header length \d+ runs beyond the end of the file \(30 bytes\)/,
    );
  });
  it('bad JSON', () => {
    expect(bad(craft(null, data, '{"x": [1,'))).toThrow(/bad\.safetensors: header is not valid JSON/);
    expect(bad(craft(null, data, '[1, 2]'))).toThrow(/bad\.safetensors: header must be a JSON object/);
  });
  it('offsets beyond the data section (truncated data)', () => {
    expect(bad(craft(good, data.subarray(0, 10)))).toThrow(
      /tensor 'y' data_offsets \[8, 12\] run beyond the data section \(10 bytes\)/,
    );
  });
  it('overlapping tensors', () => {
    const h = {
      x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      y: { dtype: 'I32', shape: [1], data_offsets: [4, 8] },
    };
    expect(bad(craft(h, new Uint8Array(8)))).toThrow(/tensors 'x' and 'y' overlap/);
  });
  it('a hole or trailing bytes in the data section', () => {
    const hole = { x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expect(bad(craft(hole, new Uint8Array(8)))).toThrow(
      /bytes 0\.\.4 of the data section belong to no tensor/,
    );
    expect(bad(craft(good, new Uint8Array(16)))).toThrow(
      /the data section has 16 bytes but the tensors cover 12/,
    );
  });
  it('shape × dtype size mismatch', () => {
    const h = { x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] }, y: good.y };
    expect(bad(craft(h, data))).toThrow(/tensor 'x' holds 8 bytes but shape \[3\] of F32 needs 12/);
  });
  it('unknown dtype', () => {
    const h = { ...good, x: { dtype: 'F8_E4M3', shape: [8], data_offsets: [0, 8] } };
    expect(bad(craft(h, data))).toThrow(/tensor 'x' has unknown dtype "F8_E4M3"/);
  });
  it("a dtype named like an Object method ('toString') is unknown, not a crash", () => {
    const h = { ...good, x: { dtype: 'toString', shape: [8], data_offsets: [0, 8] } };
    expect(bad(craft(h, data))).toThrow(/tensor 'x' has unknown dtype "toString"/);
  });
  it("a tensor named '__proto__' is refused by name", () => {
    const json = JSON.stringify(good).replace('"y":', '"__proto__":');
    expect(bad(craft(null, data, json))).toThrow(/tensor name '__proto__' is not allowed/);
  });
  it('an I64 value outside int32', () => {
    const d = new Uint8Array(8);
    new DataView(d.buffer).setBigInt64(0, 2n ** 40n, true);
    expect(bad(craft({ n: { dtype: 'I64', shape: [], data_offsets: [0, 8] } }, d))).toThrow(
      /outside the int32 range/,
    );
  });
  it('raises SafetensorsError with the path from loadSafetensors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nn-st-'));
    const path = join(dir, 'cut.safetensors');
    try {
      writeFileSync(path, readFileSync(blockPath).subarray(0, 100));
      await expect(loadSafetensors(path)).rejects.toThrow(SafetensorsError);
      await expect(loadSafetensors(path)).rejects.toThrow(`${path}: header length`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
