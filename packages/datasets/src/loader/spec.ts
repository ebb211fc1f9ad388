import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SampleTransform, SampleTransformFn } from '../types';

/**
 * A serializable description of a per-sample transform, so worker threads can build it themselves:
 * the module to import (a package name, or an absolute path to a `.js`/`.mjs`/`.cjs` file), the name of
 * an export, and JSON options passed to it. The export is either a factory `(options) => transform` or
 * a class with an `apply(img, rng)` method (constructed with `new X(options)`).
 *
 * @example
 * ```ts
 * const spec: TransformSpec = { module: '/abs/path/cifar-augment.mjs', export: 'createTransform', options: { padding: 4 } };
 * ```
 */
export interface TransformSpec {
  module: string;
  /** Export name; default `'createTransform'` (falling back to `default`). */
  export?: string;
  options?: unknown;
}

/** A transform callable as a function, whatever form it was given in. */
export type ResolvedTransform = SampleTransformFn;

/** Normalize any accepted transform form to a function. */
export function asTransformFn(t: SampleTransform | SampleTransformFn): ResolvedTransform {
  if (typeof t === 'function') return t;
  if (t && typeof t.apply === 'function') return (img, rng) => t.apply(img, rng);
  throw new TypeError('a transform must be a function (img, rng) => img or an object with apply(img, rng)');
}

/** True for a {@link TransformSpec} (as opposed to a live transform object). */
export function isTransformSpec(t: unknown): t is TransformSpec {
  return typeof t === 'object' && t !== null && typeof (t as TransformSpec).module === 'string' && typeof (t as SampleTransform).apply !== 'function';
}

const cache = new Map<string, Promise<unknown>>();

/** Import the spec's module and build the transform object (cached per spec within a thread). */
export function loadTransformObject(spec: TransformSpec): Promise<unknown> {
  const key = JSON.stringify([spec.module, spec.export, spec.options]);
  let hit = cache.get(key);
  if (!hit) {
    hit = build(spec);
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

/** Import the spec's module and build the transform as a function. */
export async function loadTransform(spec: TransformSpec): Promise<ResolvedTransform> {
  return asTransformFn((await loadTransformObject(spec)) as SampleTransform | SampleTransformFn);
}

/**
 * The size of a leading `Resize(int)` (bilinear, no `maxSize`) of a transform or `Compose` chain, if
 * any: the loader then asks file datasets to decode at that size (shrink-on-load), after which the
 * `Resize` finds the image already at size and only copies it.
 */
export function leadingResize(t: unknown): number | undefined {
  let first = t as { transforms?: unknown[]; constructor?: { name?: string }; size?: unknown; options?: Record<string, unknown> } | undefined;
  while (first && Array.isArray(first.transforms)) first = first.transforms[0] as typeof first;
  if (!first || first.constructor?.name !== 'Resize' || typeof first.size !== 'number') return undefined;
  if (first.options?.maxSize !== undefined || (first.options?.interpolation ?? 'bilinear') !== 'bilinear') return undefined;
  return first.size;
}

async function build(spec: TransformSpec): Promise<unknown> {
  // Absolute POSIX paths import as-is (this also works where a test runner rewrites import() to require()).
  const target = isAbsolute(spec.module) && process.platform === 'win32' ? pathToFileURL(spec.module).href : spec.module;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(target)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot import transform module ${spec.module}: ${(e as Error).message}`);
  }
  const name = spec.export ?? 'createTransform';
  const def = mod.default as Record<string, unknown> | undefined;
  const x = mod[name] ?? def?.[name] ?? (spec.export ? undefined : mod.default);
  if (typeof x !== 'function') throw new Error(`transform module ${spec.module} has no function export '${name}'`);
  const proto = (x as { prototype?: { apply?: unknown } }).prototype;
  const made =
    proto && typeof proto.apply === 'function'
      ? new (x as new (o: unknown) => SampleTransform)(spec.options)
      : (x as (o: unknown) => SampleTransform | SampleTransformFn)(spec.options);
  const obj = await made;
  asTransformFn(obj); // validate the shape early
  return obj;
}
