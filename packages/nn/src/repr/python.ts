// Python-style formatting of values, so module descriptions read exactly like PyTorch's.

/** A float as Python's repr prints it (`1e-05`, `0.1`, `1.0`). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 16) {
    const [m, e] = x.toExponential().split('e');
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(x);
}

/** A pair as PyTorch prints module sizes: a tuple `(a, b)`. */
export function pyTuple(v: readonly number[]): string {
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`;
}

/** A bool as Python prints it. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** A size as given: an int stays an int, a pair is a tuple. */
export function pySize(v: number | readonly number[]): string {
  return typeof v === 'number' ? String(v) : pyTuple(v);
}
