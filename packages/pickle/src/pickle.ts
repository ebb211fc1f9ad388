/** A numpy array reconstructed from a pickle: raw bytes plus dtype and shape. */
export interface PickledNdarray {
  kind: 'ndarray';
  dtype: string;
  shape: number[];
  fortranOrder: boolean;
  data: Uint8Array;
}

/** Values a {@link readPickle} result can hold (`{ kind }` objects are what the global handlers make). */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | PickledNdarray
  | { kind: 'global'; name: string }
  | { kind: 'dtype'; str: string }
  | { kind: string; [field: string]: unknown };

/** A malformed, truncated or hostile pickle: the message names the file, the problem and the byte. */
export class PickleError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: pickle: ${problem}`);
    this.name = 'PickleError';
  }
}

/**
 * What a pickle may do with an allowed global (`module name`, e.g. `'collections OrderedDict'`): `reduce`
 * builds the value a call `global(*args)` stands for, `build` applies a `BUILD` state to it. Both get
 * `fail` to reject malformed arguments. A global without a handler is refused; nothing is ever executed.
 */
export interface GlobalHandler {
  reduce?(args: PickleValue[], fail: (message: string) => never): PickleValue;
  build?(target: PickleValue, state: PickleValue, fail: (message: string) => never): void;
}

/** Options of {@link readPickle}. */
export interface ReadPickleOptions {
  /** Globals besides the numpy/codecs/collections ones, by `'module name'`. */
  globals?: Record<string, GlobalHandler>;
  /** Resolves a persistent id (`BINPERSID`, e.g. torch's storage references); without it they are refused. */
  persistentLoad?(pid: PickleValue, fail: (message: string) => never): PickleValue;
}

/** numpy arrays (as CIFAR's python-version batches hold them), `_codecs.encode`, `collections.OrderedDict`. */
const BUILTIN_GLOBALS: Record<string, GlobalHandler> = {
  'numpy.core.multiarray _reconstruct': {
    reduce: () => ({ kind: 'ndarray', dtype: '', shape: [], fortranOrder: false, data: new Uint8Array(0) }),
  },
  'numpy._core.multiarray _reconstruct': {
    reduce: () => ({ kind: 'ndarray', dtype: '', shape: [], fortranOrder: false, data: new Uint8Array(0) }),
  },
  'numpy ndarray': {},
  'numpy dtype': {
    reduce: (args, fail) => {
      const [str] = args;
      if (typeof str !== 'string') return fail('numpy.dtype needs a type string');
      return { kind: 'dtype', str };
    },
  },
  '_codecs encode': {
    reduce: (args, fail) => {
      const [text, enc] = args;
      if (typeof text !== 'string' || (enc !== 'latin1' && enc !== 'latin-1'))
        return fail('unexpected _codecs.encode arguments');
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
      return out;
    },
  },
  'collections OrderedDict': {
    reduce: (args, fail) => {
      if (args.length !== 0) return fail('collections.OrderedDict with arguments');
      return new Map();
    },
  },
};

const MARK = Symbol('mark');
type Item = PickleValue | typeof MARK;

/**
 * Read a pickle (protocols 0 to 5 opcode subset) holding dicts, lists, tuples, ints, floats, strings,
 * bytes and numpy arrays — what CIFAR's python-version batches contain, whether written by Python 2
 * (`SHORT_BINSTRING`) or Python 3 at protocol 2 (`_codecs.encode(str, 'latin1')`) — plus whatever the
 * caller's {@link ReadPickleOptions} allow (torch's `.pth` state dicts: see `@residual/nn`). Any other
 * global is refused with its name, so reading never executes anything.
 *
 * @example
 * ```ts
 * const batch = readPickle(await readFile('cifar-10-batches-py/data_batch_1'), 'data_batch_1') as Map<PickleValue, PickleValue>;
 * ```
 */
export function readPickle(bytes: Uint8Array, file: string, options: ReadPickleOptions = {}): PickleValue {
  const globals: Record<string, GlobalHandler> = { ...BUILTIN_GLOBALS, ...options.globals };
  const handler = (name: string): GlobalHandler | undefined =>
    Object.prototype.hasOwnProperty.call(globals, name) ? globals[name] : undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Item[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;
  const fail = (msg: string): never => {
    throw new PickleError(file, `${msg} at byte ${pos}`);
  };
  const need = (n: number): void => {
    if (pos + n > bytes.length) fail('truncated');
  };
  const u8 = (): number => (need(1), bytes[pos++]);
  const u16 = (): number => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = (): number => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const take = (n: number): Uint8Array => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated line');
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail('stack underflow');
    return v as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('no MARK');
    const items = stack.splice(i) as PickleValue[];
    items.shift();
    return items;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail('empty stack');
    return v as PickleValue;
  };
  const kindOf = (v: PickleValue): string =>
    v === null
      ? 'None'
      : v instanceof Map
        ? 'a dict'
        : Array.isArray(v)
          ? 'a list'
          : v instanceof Uint8Array
            ? 'bytes'
            : typeof v === 'object'
              ? (v as { kind: string }).kind
              : typeof v;
  // A hand-crafted pickle can APPEND onto a dict or SETITEM onto a list: say so instead of crashing.
  const listTop = (op: string): PickleValue[] => {
    const v = top();
    if (!Array.isArray(v)) fail(`${op} onto ${kindOf(v)}, which is not a list (malformed pickle)`);
    return v as PickleValue[];
  };
  const dictTop = (op: string): Map<PickleValue, PickleValue> => {
    const v = top();
    if (!(v instanceof Map)) fail(`${op} onto ${kindOf(v)}, which is not a dict (malformed pickle)`);
    return v as Map<PickleValue, PickleValue>;
  };
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80:
        u8();
        break; // PROTO
      case 0x95:
        take(8);
        break; // FRAME
      case 0x2e:
        return pop(); // STOP
      case 0x28:
        stack.push(MARK);
        break;
      case 0x7d:
        stack.push(new Map());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push([]);
        break; // EMPTY_TUPLE
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4b:
        stack.push(u8());
        break; // BININT1
      case 0x4d:
        stack.push(u16());
        break; // BININT2
      case 0x4a:
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break; // BININT
      case 0x8a: {
        // LONG1
        const n = u8();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(
          v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v,
        );
        break;
      }
      case 0x47:
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break; // BINFLOAT
      case 0x55:
        stack.push(latin1.decode(take(u8())));
        break; // SHORT_BINSTRING (py2 str)
      case 0x54: {
        // BINSTRING: long py2 strings are pixel buffers, keep them as bytes
        const b = take(u32());
        stack.push(b.length > 4096 ? b.slice() : latin1.decode(b));
        break;
      }
      case 0x43:
        stack.push(take(u8()).slice());
        break; // SHORT_BINBYTES
      case 0x42:
        stack.push(take(u32()).slice());
        break; // BINBYTES
      case 0x8c:
        stack.push(utf8.decode(take(u8())));
        break; // SHORT_BINUNICODE
      case 0x58:
        stack.push(utf8.decode(take(u32())));
        break; // BINUNICODE
      case 0x71:
        memo.set(u8(), top());
        break; // BINPUT
      case 0x72:
        memo.set(u32(), top());
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
      case 0x6a: {
        // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(`memo key ${k} missing`);
        stack.push(memo.get(k) as PickleValue);
        break;
      }
      case 0x61: {
        const v = pop();
        listTop('APPEND').push(v);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        listTop('APPENDS').push(...items);
        break;
      } // APPENDS
      case 0x74:
        stack.push(popMark());
        break; // TUPLE
      case 0x85:
        stack.push([pop()]);
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      }
      case 0x73: {
        const v = pop();
        const k = pop();
        dictTop('SETITEM').set(dictKey(k), v);
        break;
      } // SETITEM
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = dictTop('SETITEMS');
        for (let i = 0; i + 1 < items.length; i += 2) d.set(dictKey(items[i]), items[i + 1]);
        break;
      }
      case 0x63: {
        // GLOBAL
        const name = `${line()} ${line()}`;
        if (!handler(name)) fail(`refusing global ${name.replace(' ', '.')}`);
        stack.push({ kind: 'global', name });
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const n = pop();
        const m = pop();
        const name = `${String(m)} ${String(n)}`;
        if (!handler(name)) fail(`refusing global ${name.replace(' ', '.')}`);
        stack.push({ kind: 'global', name });
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop() as PickleValue[];
        const fn = pop() as { kind: string; name: string };
        if (fn?.kind !== 'global' || !Array.isArray(args)) fail('REDUCE without a callable');
        const h = handler(fn.name);
        if (!h?.reduce) fail(`cannot call ${fn.name.replace(' ', '.')}`);
        stack.push(h!.reduce!(args, fail));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        build(top(), state, fail, handler);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail('persistent ids are not allowed here');
        stack.push(options.persistentLoad!(pid, fail));
        break;
      }
      default:
        fail(`unsupported opcode 0x${op.toString(16)}`);
    }
  }
}

function dictKey(k: PickleValue): PickleValue {
  // Keys are normalised to strings so `b'data'`, u'data' and py2 'data' all read as 'data'.
  return k instanceof Uint8Array ? new TextDecoder('latin1').decode(k) : k;
}

function build(
  target: PickleValue,
  state: PickleValue,
  fail: (m: string) => never,
  handler: (name: string) => GlobalHandler | undefined,
): void {
  // An OrderedDict's instance attributes (torch's state dicts carry `_metadata`, module versions): dropped.
  if (target instanceof Map) {
    if (state !== null && !(state instanceof Map)) fail('BUILD on a dict with a state that is not a dict');
    return;
  }
  const t = target as { kind?: string; global?: string };
  if (t?.global) {
    const h = handler(t.global);
    if (!h?.build) return fail(`BUILD on ${t.global.replace(' ', '.')}`);
    return h.build(target, state, fail);
  }
  if (t?.kind === 'dtype') {
    // state = (version, byteorder, ...): fold the byte order into the type string (e.g. '<i8').
    const order = Array.isArray(state) ? (state as PickleValue[])[1] : undefined;
    const d = target as { kind: 'dtype'; str: string };
    if (typeof order === 'string' && order !== '|' && !/^[<>=|]/.test(d.str)) d.str = `${order}${d.str}`;
    return;
  }
  if (t?.kind === 'ndarray') {
    const [, shape, dtype, fortran, raw] = state as unknown as [
      unknown,
      number[],
      { str: string },
      boolean,
      PickleValue,
    ];
    if (!Array.isArray(shape) || typeof dtype?.str !== 'string') return fail('malformed ndarray state');
    let data: Uint8Array;
    if (raw instanceof Uint8Array) data = raw;
    else if (typeof raw === 'string') data = Uint8Array.from(raw, (c) => c.charCodeAt(0));
    else return fail('ndarray data is not bytes (object arrays are not supported)');
    const a = target as PickledNdarray;
    a.shape = shape.map(Number);
    a.dtype = dtype.str;
    a.fortranOrder = Boolean(fortran);
    a.data = data;
    return;
  }
  fail('BUILD on an unsupported object');
}
