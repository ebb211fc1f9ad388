import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level: the same data always gives the same text.
 *
 * @example
 * ```ts
 * import { canonicalJson } from '@residual/sweep';
 * canonicalJson({ b: 1, a: { d: 2, c: 3 } }); // '{"a":{"c":3,"d":2},"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The hash that names a sweep: SHA-256 of the canonical JSON of everything that decides its runs (the
 * recipe and the overrides every run gets), first 12 hex digits. Key order and whitespace do not count.
 *
 * @example
 * ```ts
 * import { sweepHash } from '@residual/sweep';
 * sweepHash({ recipe: { name: 'r', seed: 0 }, overrides: {} }) === sweepHash({ overrides: {}, recipe: { seed: 0, name: 'r' } }); // true
 * ```
 */
export function sweepHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 12);
}

// A name segment of a job id and of a run's folder in the store: no separators, nothing a shell or
// BullMQ reads specially (BullMQ reserves ':' in job ids), never '.' or '..'.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/**
 * Throws unless `s` may name a sweep, a variant or a run folder (letters, digits, `-`, `_`).
 *
 * @example
 * ```ts
 * import { checkSegment } from '@residual/sweep';
 * checkSegment('resnet20-A', 'variant id'); // 'resnet20-A'
 * checkSegment('../etc', 'variant id'); // throws: variant id "../etc" must be 1-100 letters, …
 * ```
 */
export function checkSegment(s: string, what: string): string {
  if (!SEGMENT.test(s)) throw new Error(`@residual/sweep: ${what} ${JSON.stringify(s)} must be 1-100 letters, digits, '-' or '_' (starting with a letter or digit)`);
  return s;
}

/**
 * `<recipe name>-<hash>`: the id of a sweep, and its folder in the store.
 *
 * @example
 * ```ts
 * import { sweepHash, sweepId } from '@residual/sweep';
 * sweepId('cifar10-resnet-vs-plain', sweepHash({ recipe, overrides: {} })); // 'cifar10-resnet-vs-plain-<12 hex digits>'
 * ```
 */
export function sweepId(recipeName: string, hash: string): string {
  return `${checkSegment(recipeName, 'recipe name')}-${checkSegment(hash, 'sweep hash')}`;
}

/**
 * The variant segment of a run: its id, or `main` for a recipe without variants.
 *
 * @example
 * ```ts
 * import { variantKey } from '@residual/sweep';
 * variantKey(null); // 'main'
 * ```
 */
export function variantKey(variant: string | null): string {
  return variant === null ? 'main' : checkSegment(variant, 'variant id');
}

/**
 * One run's job id: sweep id, variant and seed. BullMQ adds a job only once per id, so submitting
 * the same sweep again adds nothing.
 *
 * @example
 * ```ts
 * import { runJobId } from '@residual/sweep';
 * runJobId('cifar10-resnet-vs-plain-0123456789ab', 'resnet20-A', 2); // 'cifar10-resnet-vs-plain-0123456789ab.resnet20-A.seed-2'
 * ```
 */
export function runJobId(sweep: string, variant: string | null, seed: number): string {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`@residual/sweep: seed must be a non-negative integer, got ${seed}`);
  return `${checkSegment(sweep, 'sweep id')}.${variantKey(variant)}.seed-${seed}`;
}
