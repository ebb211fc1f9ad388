import { decodeWeights, type Module } from '@residual/nn';
import { fetchWeights, type FetchWeightsOptions } from './weights/hub';
import type { PretrainedWeights } from './weights/types';
import type { Rng } from '@residual/tensor';

/** The architecture family a registered model belongs to. */
export type ModelFamily =
  | 'cifar_resnet'
  | 'cifar_plain'
  | 'cifar_bottleneck'
  | 'resnet'
  | 'resnet_cifar_stem'
  | 'preact_resnet'
  | 'wide_resnet'
  | 'resnext';

/** Published accuracy of a model, with where the number comes from. */
export interface ReferenceAccuracy {
  /** Top-1 accuracy in percent (torchvision reports this). */
  top1?: number;
  /** Top-1 error in percent (He et al. report this). */
  top1Error?: number;
  /** Dataset and split, e.g. `'CIFAR-10 test'`, `'ImageNet-1k val'`. */
  dataset: string;
  /** Paper table or weights the number comes from. */
  source: string;
}

/**
 * What a registered model is: its size and cost at the default options, how its input is shaped and
 * normalised, and how well it is known to do. Every number is checked by the conformance suite against
 * the model the factory builds.
 */
export interface ModelCard {
  /** Registry name (snake_case, as torchvision: `resnext50_32x4d`). */
  name: string;
  family: ModelFamily;
  /** One line on what the model is. */
  description: string;
  /** Trainable parameters at the default options. */
  params: number;
  /** Multiply-adds of every convolution and linear layer for one image of `inputSize`. */
  macs: number;
  /** Default input `[height, width, channels]`. */
  inputSize: [number, number, number];
  /**
   * Smallest input height/width the model is meant for: its total downsampling factor, so the last
   * stage still sees at least one pixel. Larger inputs of any size work (global average pooling).
   */
  minInputSize: number;
  /** Per-channel mean the input is normalised with (of the default dataset, on a 0..1 scale). */
  mean: number[];
  /** Per-channel standard deviation the input is normalised with. */
  std: number[];
  /** Classes of the default head. */
  numClasses: number;
  /** Published accuracy, or `null` where the source gives no number. */
  referenceAccuracy: ReferenceAccuracy | null;
  /** Paper (and code) the architecture follows. */
  citation: string;
  /** Options the factory was called with for this card (besides `numClasses`). */
  defaults?: Partial<CreateModelOptions>;
  /** Published weight sets (torchvision's `Weights` enum of the model), for `createModel(name, { weights })`. */
  weights?: readonly PretrainedWeights[];
}

/**
 * Options of {@link createModel}. Every family takes `numClasses`, `inChannels` and `rng`; the rest
 * apply where the family has the notion and are rejected elsewhere.
 */
export interface CreateModelOptions {
  /** Classes of the head. @defaultValue the card's `numClasses` */
  numClasses?: number;
  /** Input channels (1 for grey-scale data such as Fashion-MNIST). @defaultValue 3 */
  inChannels?: number;
  /**
   * CIFAR ResNets (He et al. §4.2): `'A'` zero-padded identity shortcuts (default), `'B'` 1×1
   * projections where the shape changes, `'C'` projections everywhere.
   */
  shortcut?: 'A' | 'B' | 'C';
  /** Depth of the generic `cifar_resnet` (6n+2 basic, 9n+2 bottleneck). */
  depth?: number;
  /** Residual unit of the generic `cifar_resnet`. @defaultValue 'basic' */
  block?: 'basic' | 'bottleneck';
  /**
   * Start every residual branch's last BatchNorm at γ = 0 (torchvision's `zero_init_residual`).
   * @defaultValue false
   */
  zeroInitResidual?: boolean;
  /** Dropout between the two convolutions of a wide ResNet unit (train mode only). @defaultValue 0 */
  dropRate?: number;
  /** Generator the initialisation draws from. @defaultValue globalRng() of `@residual/random` */
  rng?: Rng;
}

/** Options every model takes, whatever its family. */
export const COMMON_MODEL_OPTIONS = ['numClasses', 'inChannels', 'rng'] as const;

/** An option of {@link CreateModelOptions} that only some families take. */
export type FamilyOption = Exclude<keyof CreateModelOptions, (typeof COMMON_MODEL_OPTIONS)[number]>;

/**
 * The options type of a model that accepts the family options `A`: the one list a model declares
 * (`accepts`) gives both its TypeScript type and what {@link createModel} lets through.
 */
export type ModelOptions<A extends readonly FamilyOption[] = readonly []> = Pick<
  CreateModelOptions,
  (typeof COMMON_MODEL_OPTIONS)[number] | A[number]
>;

/** Everything a model is, declared once: {@link registerModel} takes this. */
export interface ModelDefinition<A extends readonly FamilyOption[], M extends Module> {
  /** The card; `card.name` is the registry name (snake_case, as torchvision's: `resnext50_32x4d`). */
  card: ModelCard;
  /** Family options the model takes besides `numClasses`, `inChannels` and `rng`. @defaultValue [] */
  accepts?: A;
  /** Builds the model; receives the card's `defaults` overlaid with the caller's options. */
  build: (options: ModelOptions<A>) => M;
  /** Replace an existing registration of the same name instead of throwing. @defaultValue false */
  override?: boolean;
}

/**
 * A registered model's factory: `resnet50(options)` is `createModel('resnet50', options)`, typed
 * with the options that model takes, and carries its card.
 */
export interface ModelFactory<A extends readonly FamilyOption[] = readonly FamilyOption[], M extends Module = Module> {
  (options?: ModelOptions<A>): M;
  /** The registry name, equal to `card.name`. */
  readonly modelName: string;
  readonly card: ModelCard;
}

interface Entry {
  build: (options: CreateModelOptions) => Module;
  card: ModelCard;
  options: ReadonlySet<keyof CreateModelOptions>;
  /** Which loaded copy of this module registered it (see {@link registerModel}). */
  copy: symbol;
}

// This module's copy: the ESM and the CJS build of @residual/zoo loaded in one process are two copies
// sharing one registry, and both register every model when they load.
const COPY = Symbol('@residual/zoo copy');

const NAME_RE = /^[a-z][a-z0-9_]*$/;
// Kept on globalThis so the ESM and CJS builds loaded in one process share one registry.
const KEY = Symbol.for('@residual/zoo/registry');
const registry: Map<string, Entry> = ((globalThis as Record<symbol, unknown>)[KEY] as Map<string, Entry>) ??
  ((globalThis as Record<symbol, unknown>)[KEY] = new Map<string, Entry>());

/**
 * Add a model to the registry, next to its definition, and return its typed factory. The card must
 * describe what the factory builds with no options; the conformance suite checks it does.
 *
 * @example
 * ```ts
 * import { registerModel, createModel } from '@residual/zoo';
 * export const tiny_net = registerModel({
 *   card: tinyNetCard, // { name: 'tiny_net', params: …, macs: …, … }
 *   accepts: ['dropRate'],
 *   build: (o) => new TinyNet(o.numClasses ?? 10, o.dropRate ?? 0),
 * });
 * tiny_net({ dropRate: 0.1 }); // same as createModel('tiny_net', { dropRate: 0.1 })
 * ```
 */
export function registerModel<const A extends readonly FamilyOption[] = readonly [], M extends Module = Module>(
  definition: ModelDefinition<A, M>,
): ModelFactory<A, M> {
  const { card, accepts = [] as unknown as A, build, override = false } = definition;
  const name = card.name;
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new Error(`registerModel: invalid name '${name}' (snake_case: lower-case letters, digits, '_')`);
  }
  for (const key of accepts) {
    if ((COMMON_MODEL_OPTIONS as readonly string[]).includes(key)) {
      throw new Error(`registerModel('${name}'): '${key}' is taken by every model; list only family options`);
    }
  }
  const existing = registry.get(name);
  let registered = true;
  if (existing && !override) {
    // The other build of this package registering the same definition: keep the first, silently.
    if (existing.copy !== COPY && JSON.stringify(existing.card) === JSON.stringify({ ...card })) registered = false;
    else throw new Error(`registerModel: '${name}' is already registered (pass override: true to replace it)`);
  }
  if (registered) {
    const options = new Set<keyof CreateModelOptions>([...COMMON_MODEL_OPTIONS, ...accepts]);
    registry.set(name, {
      build: build as (options: CreateModelOptions) => Module,
      card: Object.freeze({ ...card }),
      options,
      copy: COPY,
    });
  }
  const factory = (options: ModelOptions<A> = {} as ModelOptions<A>): M => createModel<M>(name, options);
  Object.defineProperty(factory, 'name', { value: name });
  return Object.assign(factory, { modelName: name, card: registry.get(name)!.card });
}

function entry(name: string, caller: string): Entry {
  const e = registry.get(name);
  if (!e) {
    throw new Error(`${caller}: unknown model '${name}'. Registered models: ${listModels().join(', ')}`);
  }
  return e;
}

/**
 * A model as data — what a recipe's `"model"` holds and {@link createModel} builds: the registry name
 * and the options (everything of {@link CreateModelOptions} but the generator, which is not data).
 */
export interface ModelSpec {
  /** Registry name (`residual models` lists them). */
  name: string;
  /** Options of the model (`numClasses`, `inChannels`, `shortcut`, …); those it does not take are refused. */
  options?: Omit<CreateModelOptions, 'rng'>;
}

/**
 * Build a registered model by name (or from a {@link ModelSpec}), freshly initialised (from
 * `options.rng` or the global generator, so `seed(n)` first reproduces it). The model starts in train
 * mode, as in PyTorch.
 *
 * @example
 * ```ts
 * import { seed } from '@residual/tensor';
 * import { createModel } from '@residual/zoo';
 * seed(0);
 * const net = createModel('resnet20', { numClasses: 10, shortcut: 'B' });
 * net.numParameters(); // 272474
 * createModel({ name: 'resnet20', options: { shortcut: 'B' } }).numParameters(); // 272474
 * ```
 */
export function createModel<M extends Module = Module>(
  name: string,
  options: CreateModelOptions & { weights: string },
  fetchOptions?: FetchWeightsOptions,
): Promise<M>;
export function createModel<M extends Module = Module>(spec: ModelSpec, extra?: Pick<CreateModelOptions, 'rng'>): M;
export function createModel<M extends Module = Module>(name: string, options?: CreateModelOptions): M;
export function createModel<M extends Module = Module>(
  nameOrSpec: string | ModelSpec,
  options: CreateModelOptions & { weights?: string } = {},
  fetchOptions: FetchWeightsOptions = {},
): M | Promise<M> {
  if (typeof nameOrSpec === 'string' && options.weights !== undefined) {
    const { weights, ...rest } = options;
    return createPretrained<M>(nameOrSpec, rest, weights, fetchOptions);
  }
  if (typeof nameOrSpec !== 'string') {
    if (nameOrSpec === null || typeof nameOrSpec !== 'object' || typeof nameOrSpec.name !== 'string') {
      throw new Error(`createModel: expected a model name or a spec { name, options }, got ${JSON.stringify(nameOrSpec)}`);
    }
    const given = nameOrSpec.options ?? {};
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw new Error(`createModel('${nameOrSpec.name}'): options must be an object, got ${JSON.stringify(given)}`);
    }
    if ('rng' in given) throw new Error(`createModel('${nameOrSpec.name}'): a spec's options cannot hold a generator (rng)`);
    return createModel<M>(nameOrSpec.name, { ...given, ...options });
  }
  const name = nameOrSpec;
  const e = entry(name, 'createModel');
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!e.options.has(key as keyof CreateModelOptions)) {
      throw new Error(
        `createModel('${name}'): option '${key}' does not apply to this model ` +
          `(accepted: ${[...e.options].join(', ')})`,
      );
    }
  }
  const n = options.numClasses;
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    throw new Error(`createModel('${name}'): numClasses must be a positive integer, got ${n}`);
  }
  const c = options.inChannels;
  if (c !== undefined && (!Number.isInteger(c) || c < 1)) {
    throw new Error(`createModel('${name}'): inChannels must be a positive integer, got ${c}`);
  }
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return e.build({ ...e.card.defaults, ...given }) as M;
}

/**
 * The weight set `tag` of a registered model (`'DEFAULT'`: torchvision's default), or an error naming
 * the ones it has.
 *
 * @example
 * ```ts
 * import { getWeights } from '@residual/zoo';
 * getWeights('resnet50', 'IMAGENET1K_V2').preprocessing; // { resizeSize: 232, cropSize: 224, … }
 * ```
 */
export function getWeights(name: string, tag: string): PretrainedWeights {
  const list = entry(name, 'getWeights').card.weights ?? [];
  const w = tag === 'DEFAULT' ? list.find((x) => x.isDefault) : list.find((x) => x.tag === tag);
  if (!w) {
    throw new Error(
      list.length
        ? `${name}: no weights '${tag}'; it has ${list.map((x) => x.tag).join(', ')} (or DEFAULT)`
        : `${name}: no published weights (load your own with loadWeights from @residual/nn)`,
    );
  }
  return w;
}

/** `createModel(name, { weights })`: build, fetch (cached), verify, load strictly, eval mode. */
async function createPretrained<M extends Module>(
  name: string,
  options: CreateModelOptions,
  tag: string,
  fetchOptions: FetchWeightsOptions,
): Promise<M> {
  const w = getWeights(name, tag);
  if (options.numClasses !== undefined && options.numClasses !== w.numClasses) {
    throw new Error(`createModel('${name}'): weights ${w.tag} have ${w.numClasses} classes, not numClasses ${options.numClasses}`);
  }
  if (options.inChannels !== undefined && options.inChannels !== 3) {
    throw new Error(`createModel('${name}'): weights ${w.tag} take RGB input, not inChannels ${options.inChannels}`);
  }
  const { bytes, path } = await fetchWeights(w, fetchOptions);
  const source = path ?? w.url;
  const model = createModel<M>(name, options);
  let sd: ReturnType<typeof decodeWeights> | undefined;
  try {
    sd = decodeWeights(bytes, { source });
    model.loadStateDict(sd);
  } catch (e) {
    model.dispose();
    throw new Error(`${source}: cannot load into ${name} (${(e as Error).message})`);
  } finally {
    if (sd) Object.values(sd).forEach((t) => t.dispose());
  }
  model.eval();
  return model;
}

/**
 * Names of the registered models, sorted; optionally only one family.
 *
 * @example
 * ```ts
 * import { listModels } from '@residual/zoo';
 * listModels({ family: 'resnet' }); // ['resnet101', 'resnet152', 'resnet18', 'resnet34', 'resnet50']
 * ```
 */
export function listModels(filter: { family?: ModelFamily } = {}): string[] {
  return [...registry.values()]
    .filter((e) => !filter.family || e.card.family === filter.family)
    .map((e) => e.card.name)
    .sort();
}

/**
 * The card of a registered model.
 *
 * @example
 * ```ts
 * import { getModelCard } from '@residual/zoo';
 * getModelCard('resnet50').params; // 25557032
 * ```
 */
export function getModelCard(name: string): ModelCard {
  return entry(name, 'getModelCard').card;
}

/** Whether `name` is registered. @example `hasModel('resnet18') // true` */
export function hasModel(name: string): boolean {
  return registry.has(name);
}

/**
 * The options `createModel(name, …)` accepts.
 *
 * @example
 * ```ts
 * modelOptions('resnet20'); // ['numClasses', 'inChannels', 'rng', 'shortcut', 'zeroInitResidual']
 * ```
 */
export function modelOptions(name: string): Array<keyof CreateModelOptions> {
  return [...entry(name, 'modelOptions').options];
}
