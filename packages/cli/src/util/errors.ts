/**
 * An error the CLI reports as one line (no stack): bad usage, a missing file, an unknown name.
 * `exitCode` is 2 for usage mistakes and 1 for everything else.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Edit distance, for "did you mean" hints. */
export function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The known names closest to `name` (by edit distance, then substring), best first. */
export function closeNames(name: string, known: readonly string[], max = 5): string[] {
  const n = name.toLowerCase();
  return known
    .map((k) => {
      const kl = k.toLowerCase();
      const d = levenshtein(n, kl) - (kl.includes(n) || n.includes(kl) ? 3 : 0);
      return { k, d };
    })
    .filter(({ d }) => d <= Math.max(3, Math.floor(n.length / 2)))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, max)
    .map(({ k }) => k);
}

/** "unknown X 'y'; did you mean a, b? (…)" */
export function unknownName(kind: string, name: string, known: readonly string[], listHint: string): CliError {
  const close = closeNames(name, known);
  const hint = close.length ? `; did you mean ${close.join(', ')}?` : '';
  return new CliError(`unknown ${kind} '${name}'${hint} (${listHint})`, 2);
}
