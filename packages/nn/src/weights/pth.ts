import { unzipSync } from 'fflate';
import { readPickle, type GlobalHandler, type PickleValue } from '@residual/pickle';
import { tf } from '@residual/tensor';
import { readValues, SIZES, type SafetensorsDtype } from '../safetensors/format';

/** A `.pth` file that cannot be read: the message names the file and what was wrong. */
export class PthError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'PthError';
  }
}

/** torch storage classes (`torch.FloatStorage`, …) and the element type each holds. */
const STORAGES: Record<string, SafetensorsDtype> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

interface StorageRef {
  kind: 'torch-storage';
  dtype: SafetensorsDtype;
  key: string;
  numel: number;
}
interface TensorRef {
  kind: 'torch-tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

const ints = (v: PickleValue, what: string, fail: (m: string) => never): number[] => {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0))
    return fail(`${what} must be a tuple of non-negative integers`);
  return v as number[];
};

// Allowed globals beyond the reader's own (collections.OrderedDict): storage classes (as values) and the
// two rebuild functions a state dict's tensors and parameters are pickled through. Nothing else.
const TORCH_GLOBALS: Record<string, GlobalHandler> = {
  ...Object.fromEntries(Object.keys(STORAGES).map((s) => [`torch ${s}`, {}])),
  'torch._utils _rebuild_tensor_v2': {
    reduce: (args, fail) => {
      const [storage, offset, size, stride] = args;
      if ((storage as { kind?: string })?.kind !== 'torch-storage')
        return fail('_rebuild_tensor_v2 without a storage');
      if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)
        return fail('_rebuild_tensor_v2: bad storage offset');
      const shape = ints(size, 'tensor size', fail);
      const strides = ints(stride, 'tensor stride', fail);
      if (strides.length !== shape.length) return fail('tensor size and stride differ in length');
      return {
        kind: 'torch-tensor',
        storage: storage as unknown as StorageRef,
        offset,
        shape,
        stride: strides,
      } satisfies TensorRef;
    },
  },
  // nn.Parameter(tensor, requires_grad, backward_hooks): the tensor is what matters.
  'torch._utils _rebuild_parameter': {
    reduce: (args, fail) =>
      (args[0] as { kind?: string })?.kind === 'torch-tensor'
        ? args[0]!
        : fail('_rebuild_parameter without a tensor'),
  },
};

/**
 * Read a PyTorch `.pth` file — the zip archive `torch.save(model.state_dict(), path)` writes (PyTorch ≥ 1.6),
 * torchvision's downloads included — into tensors by key. The pickle inside is read by a restricted,
 * data-only unpickler: storages, `_rebuild_tensor_v2`/`_rebuild_parameter` and `collections.OrderedDict` are
 * the only globals allowed; anything else (`posix.system`, …) is refused with its name and never run.
 * Strides and storage offsets are honoured (views, transposes, shared storages); float16/bfloat16/float64
 * become float32 and int64 becomes int32 (out-of-range values are an error), as with safetensors.
 *
 * @example
 * ```ts
 * import { decodePth } from '@residual/nn';
 * const sd = decodePth(readFileSync('resnet18-f37072fd.pth'), { source: 'resnet18-f37072fd.pth' });
 * model.loadStateDict(sd);
 * ```
 */
export function decodePth(bytes: Uint8Array, options: { source?: string } = {}): Record<string, tf.Tensor> {
  const file = options.source ?? '<buffer>';
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new PthError(
      file,
      'not a PyTorch zip checkpoint (no zip header; files from torch < 1.6 or torch.save(..., _use_new_zipfile_serialization=False) are not supported)',
    );
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new PthError(file, `corrupt or truncated zip archive (${(e as Error).message})`);
  }
  const pkl = Object.keys(entries).find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pkl)
    throw new PthError(
      file,
      `no <archive>/data.pkl inside (entries: ${Object.keys(entries).slice(0, 5).join(', ')})`,
    );
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const root = readPickle(entries[pkl]!, `${file}:${pkl}`, {
    globals: TORCH_GLOBALS,
    persistentLoad: (pid, fail) => {
      // ('storage', storage_type, key, location, numel)
      if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) return fail('unknown persistent id');
      const type = pid[1] as { kind?: string; name?: string };
      const dtype = type?.kind === 'global' ? STORAGES[String(type.name).replace(/^torch /, '')] : undefined;
      if (!dtype) return fail('persistent id without a known storage type');
      const [, , key, , numel] = pid;
      if (typeof key !== 'string' || typeof numel !== 'number') return fail('malformed storage reference');
      return { kind: 'torch-storage', dtype, key, numel } satisfies StorageRef;
    },
  });
  if (!(root instanceof Map))
    throw new PthError(file, 'the pickle is not a dict of tensors (save model.state_dict(), not the model)');
  // Training scripts often save {'epoch': …, 'state_dict': …} (or 'model'): take the state dict inside.
  const isTensor = (v: PickleValue) => (v as { kind?: string })?.kind === 'torch-tensor';
  const inner = [root.get('state_dict'), root.get('model')].find((v) => v instanceof Map) as
    Map<PickleValue, PickleValue> | undefined;
  const dict = inner && ![...root.values()].every(isTensor) ? inner : root;
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const [k, v] of dict) {
      if (typeof k !== 'string') throw new PthError(file, `a key that is not a string (${String(k)})`);
      if ((v as { kind?: string })?.kind !== 'torch-tensor')
        throw new PthError(file, `'${k}' is not a tensor`);
      out[k] = materialise(v as unknown as TensorRef, k, entries, prefix, file);
    }
  } catch (e) {
    tf.dispose(Object.values(out));
    throw e;
  }
  return out;
}

function materialise(
  t: TensorRef,
  key: string,
  entries: Record<string, Uint8Array>,
  prefix: string,
  file: string,
): tf.Tensor {
  const { storage } = t;
  const raw = entries[`${prefix}data/${storage.key}`];
  if (!raw) throw new PthError(file, `'${key}': storage ${storage.key} is missing from the archive`);
  const bytesPer = SIZES[storage.dtype];
  if (raw.length !== storage.numel * bytesPer) {
    throw new PthError(
      file,
      `'${key}': storage ${storage.key} holds ${raw.length} bytes, expected ${storage.numel} × ${bytesPer}`,
    );
  }
  const size = t.shape.reduce((a, b) => a * b, 1);
  // The furthest element the view reads must lie inside the storage.
  const last = t.offset + t.shape.reduce((a, d, i) => a + (d > 0 ? (d - 1) * t.stride[i]! : 0), 0);
  if (size > 0 && last >= storage.numel)
    throw new PthError(
      file,
      `'${key}': shape [${t.shape}] with strides [${t.stride}] reads past its storage of ${storage.numel} elements`,
    );
  const { data, dtype } = readValues(
    raw,
    { dtype: storage.dtype, shape: [storage.numel], dataOffsets: [0, raw.length] },
    key,
    file,
  );
  const out = new (data.constructor as new (n: number) => typeof data)(size);
  // Gather the view in C order through its strides (contiguous tensors are one copy).
  const contiguous = t.stride.every(
    (s, i) => s === t.shape.slice(i + 1).reduce((a, b) => a * b, 1) || t.shape[i] === 1,
  );
  if (contiguous) out.set(data.subarray(t.offset, t.offset + size));
  else {
    const idx = new Array<number>(t.shape.length).fill(0);
    for (let n = 0; n < size; n++) {
      let src = t.offset;
      for (let d = 0; d < idx.length; d++) src += idx[d]! * t.stride[d]!;
      out[n] = data[src]!;
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d]! < t.shape[d]!) break;
        idx[d] = 0;
      }
    }
  }
  return tf.tensor(out, t.shape, dtype);
}
