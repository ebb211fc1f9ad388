import { PickleError, readPickle } from './index';

// Hand-assembled protocol-2 pickles (the opcodes are spelled out), so every path is pinned down.
const P = (...bytes: Array<number | string>) =>
  Uint8Array.from(bytes.flatMap((b) => (typeof b === 'string' ? Array.from(b, (c) => c.charCodeAt(0)) : [b])));
const GLOBAL = (mod: string, name: string) => [0x63, `${mod}\n${name}\n`] as const;

describe('readPickle', () => {
  it('reads dicts, lists, tuples, numbers and strings', () => {
    // {'a': [1, 2.5, 'x'], 'b': (None, True)}
    const bytes = P(0x80, 2, 0x7d, 0x28, 0x8c, 1, 'a', 0x5d, 0x28, 0x4b, 1, 0x47, 0x40, 0x04, 0, 0, 0, 0, 0, 0, 0x8c, 1, 'x', 0x65, 0x8c, 1, 'b', 0x4e, 0x88, 0x86, 0x75, 0x2e);
    const v = readPickle(bytes, 't.pkl') as Map<unknown, unknown>;
    expect(v.get('a')).toEqual([1, 2.5, 'x']);
    expect(v.get('b')).toEqual([null, true]);
  });

  it('builds collections.OrderedDict as a dict and drops its BUILD state', () => {
    // OrderedDict() with {'_metadata': {}} state, then k -> 7
    const bytes = P(0x80, 2, ...GLOBAL('collections', 'OrderedDict'), 0x29, 0x52, 0x7d, 0x8c, 9, '_metadata', 0x7d, 0x73, 0x62, 0x8c, 1, 'k', 0x4b, 7, 0x73, 0x2e);
    expect(readPickle(bytes, 'od.pkl')).toEqual(new Map([['k', 7]]));
  });

  it('refuses unknown globals by name, calls of value-only globals, and persistent ids by default', () => {
    expect(() => readPickle(P(0x80, 2, ...GLOBAL('posix', 'system'), 0x2e), 'evil.pkl')).toThrow(new PickleError('evil.pkl', 'refusing global posix.system at byte 16'));
    expect(() => readPickle(P(0x80, 2, ...GLOBAL('builtins', 'eval'), 0x2e), 'e.pkl')).toThrow(/refusing global builtins\.eval/);
    expect(() => readPickle(P(0x80, 2, ...GLOBAL('numpy', 'ndarray'), 0x29, 0x52, 0x2e), 'n.pkl')).toThrow(/cannot call numpy\.ndarray/);
    expect(() => readPickle(P(0x80, 2, 0x8c, 1, 'x', 0x51, 0x2e), 'p.pkl')).toThrow(/persistent ids are not allowed here/);
  });

  it('resolves the caller\'s globals and persistent ids, and nothing else', () => {
    const bytes = P(0x80, 2, ...GLOBAL('my', 'thing'), 0x8c, 3, 'pid', 0x51, 0x85, 0x52, 0x2e);
    const v = readPickle(bytes, 'c.pkl', {
      globals: { 'my thing': { reduce: (args) => ({ kind: 'thing', args }) } },
      persistentLoad: (pid) => ({ kind: 'loaded', pid }),
    });
    expect(v).toEqual({ kind: 'thing', args: [{ kind: 'loaded', pid: 'pid' }] });
    // A caller's handler does not open other names.
    expect(() => readPickle(P(0x80, 2, ...GLOBAL('my', 'other'), 0x2e), 'c.pkl', { globals: { 'my thing': {} } })).toThrow(/refusing global my\.other/);
  });

  it('reports truncation and malformed streams with the byte', () => {
    expect(() => readPickle(P(0x80, 2, 0x8c, 5, 'ab'), 'cut.pkl')).toThrow(/cut\.pkl: pickle: truncated at byte 4/);
    expect(() => readPickle(P(0x80, 2, 0x30), 'op.pkl')).toThrow(/unsupported opcode 0x30/);
    expect(() => readPickle(P(0x80, 2, 0x2e), 'empty.pkl')).toThrow(/stack underflow/);
  });
});
