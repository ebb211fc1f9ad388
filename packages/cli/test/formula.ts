/**
 * The closed-form weights of tools/common/formula.py (via tools/cli/gen_predict_fixtures.py; the same
 * values `@residual/zoo/testing` computes), written as a PyTorch user's
 * `safetensors.torch.save_file(model.state_dict(), path)` would: torchvision key names, OIHW conv
 * weights, [out, in] linear weights, int64 num_batches_tracked. The encoder below is written from the
 * format's specification, independently of `@residual/nn`'s, so the test reads a file nn did not write.
 */
import { writeFileSync } from 'node:fs';
import { formulaValues } from '@residual/zoo/testing';

export type KeySpec = [name: string, shape: number[], dtype: 'F32' | 'I64'];

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
