import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, unzipSync } from 'fflate';
import { tf, useBackend } from '@residual/tensor';
import { decodePth, PthError } from './pth';
import { decodeWeights, loadWeights } from './load';

// Fixtures written by tools/nn/gen_pth_fixtures.py with PyTorch 1.13's torch.save.
const DIR = join(__dirname, '..', '..', 'fixtures', 'pth');
const read = (f: string) => new Uint8Array(readFileSync(join(DIR, f)));

beforeAll(async () => {
  await useBackend('cpu');
});

describe('decodePth', () => {
  it('reads what torch.save wrote: views, strides, storage offsets, shared storages and every dtype', () => {
    const expected = JSON.parse(readFileSync(join(DIR, 'views.json'), 'utf8')) as Record<
      string,
      { shape: number[]; dtype: string; values: number[] }
    >;
    const sd = decodePth(read('views.pth'), { source: 'views.pth' });
    expect(Object.keys(sd).sort()).toEqual(Object.keys(expected).sort());
    for (const [k, e] of Object.entries(expected)) {
      const t = sd[k]!;
      expect([k, t.shape]).toEqual([k, e.shape]);
      const values = Array.from(t.dataSync() as ArrayLike<number>);
      const want = e.dtype === 'bool' ? e.values.map(Number) : e.values;
      if (e.dtype === 'float64')
        values.forEach((v, i) =>
          expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(Math.abs(want[i]!) * 2 ** -24),
        );
      else
        expect([k, values]).toEqual([
          k,
          want.map((v) => (e.dtype.startsWith('float') || e.dtype.startsWith('bfloat') ? Math.fround(v) : v)),
        ]);
    }
    expect(sd['bn.num_batches_tracked']!.dtype).toBe('int32');
    expect(sd.mask!.dtype).toBe('bool');
    tf.dispose(Object.values(sd));
  });

  it('refuses a pickle that would call posix.system, naming the global, and never runs it', () => {
    expect(() => decodePth(read('evil.pth'), { source: 'evil.pth' })).toThrow(
      /evil\.pth:archive\/data\.pkl: pickle: refusing global (posix|os)\.system/,
    );
  });

  it('says what is wrong with truncated, corrupt, foreign and inconsistent archives', () => {
    const good = read('views.pth');
    expect(() => decodePth(good.subarray(0, good.length >> 1), { source: 'cut.pth' })).toThrow(
      /cut\.pth: corrupt or truncated zip archive/,
    );
    expect(() => decodePth(new TextEncoder().encode('{"not": "a pth"}'), { source: 'x.pth' })).toThrow(
      PthError,
    );
    expect(() => decodePth(new Uint8Array(0), { source: 'empty.pth' })).toThrow(/empty\.pth: not a PyTorch zip checkpoint/);
    expect(() => decodePth(zipSync({ 'a/other.txt': new Uint8Array(1) }), { source: 'nopkl.pth' })).toThrow(
      /nopkl\.pth: no <archive>\/data\.pkl inside/,
    );
    const entries = unzipSync(good);
    const storages = Object.keys(entries).filter((n) => /\/data\/\d+$/.test(n));
    // A storage cut short: the size check names the tensor and the byte counts.
    const short = { ...entries, [storages[0]!]: entries[storages[0]!]!.subarray(0, 3) };
    expect(() => decodePth(zipSync(short), { source: 'short.pth' })).toThrow(
      /short\.pth: '.+': storage \d+ holds 3 bytes, expected/,
    );
    const missing = { ...entries };
    delete missing[storages[0]!];
    expect(() => decodePth(zipSync(missing), { source: 'missing.pth' })).toThrow(
      /missing\.pth: '.+': storage \d+ is missing from the archive/,
    );
  });

  it('decodeWeights and loadWeights tell .pth from safetensors by content, and name unreadable files', async () => {
    const { encodeSafetensors } = await import('../safetensors/format');
    const bytes = encodeSafetensors({ w: tf.tensor1d([1, 2]) });
    const dir = mkdtempSync(join(tmpdir(), 'residual-weights-'));
    // A safetensors file named .pth still loads (the name is not trusted).
    writeFileSync(join(dir, 'really-safetensors.pth'), bytes);
    const a = await loadWeights(join(dir, 'really-safetensors.pth'));
    expect(Array.from(a.w!.dataSync())).toEqual([1, 2]);
    const b = decodeWeights(read('views.pth'));
    expect(b.scalar!.dataSync()[0]).toBe(2.5);
    await expect(loadWeights(join(dir, 'absent.pth'))).rejects.toThrow(
      /absent\.pth: cannot read weights \(ENOENT\)/,
    );
    tf.dispose([...Object.values(a), ...Object.values(b)]);
  });
});

describe('checkpoints of other layouts', () => {
  it('takes the state dict out of a {epoch, state_dict} checkpoint, and renameKeys maps module./linear. prefixes', async () => {
    const { renameKeys } = await import('./load');
    const expected = JSON.parse(readFileSync(join(DIR, 'wrapped.json'), 'utf8')) as Record<string, number[]>;
    const sd = decodePth(read('wrapped.pth'), { source: 'wrapped.pth' });
    expect(Object.keys(sd).sort()).toEqual(Object.keys(expected).sort());
    const renamed = renameKeys(sd, [
      ['module.', ''],
      ['linear.', 'fc.'],
    ]);
    expect(Object.keys(renamed).sort()).toEqual(['conv1.weight', 'fc.bias', 'fc.weight']);
    expect(Array.from(renamed['fc.bias']!.dataSync())).toEqual(
      expected['module.linear.bias']!.map(Math.fround),
    );
    expect(() =>
      renameKeys({ 'a.x': 1, 'b.x': 2 }, [
        ['a.', ''],
        ['b.', ''],
      ]),
    ).toThrow(/'b.x' and another key both become 'x'/);
    tf.dispose(Object.values(sd));
  });
});
