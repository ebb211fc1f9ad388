/**
 * The closed-form weights of tools/cli/gen_predict_fixtures.py, written as a PyTorch user's
 * `safetensors.torch.save_file(model.state_dict(), path)` would: torchvision key names, OIHW conv
 * weights, [out, in] linear weights, int64 num_batches_tracked.
 *
 * k = index of the key in the sorted key list, i = flat index, t = 0.37 * i + 1.3 * k.
 */
import { writeFileSync } from 'node:fs';

export type KeySpec = [name: string, shape: number[], dtype: 'F32' | 'I64'];

function formulaValues(key: string, shape: number[], k: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = 0.37 * i + 1.3 * k;
    const s = Math.sin(t);
    let v: number;
    if (key.endsWith('running_mean')) v = 0.1 * s;
    else if (key.endsWith('running_var')) v = 1 + 0.5 * Math.abs(s);
    else if (key.endsWith('bias')) v = 0.1 * Math.cos(t);
    else if (key.endsWith('weight') && shape.length === 4) v = s * Math.sqrt(2 / (shape[1]! * shape[2]! * shape[3]!));
    else if (key.endsWith('weight') && shape.length === 2) v = s / Math.sqrt(shape[1]!);
    else if (key.endsWith('weight') && shape.length === 1) v = 1 + 0.1 * s;
    else throw new Error(`no formula for ${key}`);
    out[i] = v;
  }
  return out;
}

/** Encodes tensors in the safetensors format (8-byte little-endian header length, JSON header, data). */
export function encodeSafetensors(entries: Array<{ name: string; dtype: 'F32' | 'I64'; shape: number[]; bytes: Uint8Array }>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // the reference writer pads the header to 8 bytes
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(Buffer.from(json, 'utf8'), 8);
  let p = 8 + json.length;
  for (const e of entries) {
    out.set(e.bytes, p);
    p += e.bytes.length;
  }
  return out;
}

/** Writes the formula weights for `keys` (as listed by the generator) to `path`. */
export function writeFormulaSafetensors(path: string, keys: KeySpec[]): void {
  const sorted = keys.map(([name]) => name).sort();
  const entries = keys.map(([name, shape, dtype]) => {
    if (dtype === 'I64') {
      const n = shape.reduce((a, b) => a * b, 1);
      return { name, dtype, shape, bytes: new Uint8Array(new BigInt64Array(n).buffer) };
    }
    const v = formulaValues(name, shape, sorted.indexOf(name));
    return { name, dtype, shape, bytes: new Uint8Array(v.buffer) };
  });
  writeFileSync(path, encodeSafetensors(entries));
}
