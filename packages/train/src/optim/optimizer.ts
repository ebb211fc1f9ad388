import { tf } from '@residual/tensor';

/** Parameters as `[name, variable]` pairs, the shape `Module.namedParameters()` returns. */
export type NamedParams = Array<[string, tf.Variable]>;

/** Anything that owns named parameters (an `@residual/nn` `Module`, for instance). */
export interface HasNamedParameters {
  namedParameters(): NamedParams;
}

/** One parameter group as given by the user: its parameters and per-group overrides of the defaults. */
export type ParamGroupSpec<O> = Partial<O> & { params: NamedParams | HasNamedParameters };

/** What an optimizer accepts as parameters: a module, named parameters, or a list of groups. */
export type ParamsInput<O> = HasNamedParameters | NamedParams | Array<ParamGroupSpec<O>>;

/** A live parameter group: the group's hyper-parameters (read and written by schedulers) and its parameters. */
export type ParamGroup<O> = O & {
  params: NamedParams;
  /** Learning rate in use for the group; schedulers rewrite it. */
  lr: number;
  /** The learning rate the group started with (PyTorch's `initial_lr`); schedulers scale from it. */
  initialLr: number;
};

/** Serializable optimizer state: per-parameter tensors (slots) plus numbers per group. */
export interface OptimizerState {
  /** `'<slot>.<param name>'` → tensor, e.g. `'momentum_buffer.layer1.0.conv1.weight'` (internal layout). */
  tensors: Record<string, tf.Tensor>;
  /** Hyper-parameters of every group (lr, initialLr, weightDecay, ...), in group order. */
  groups: Array<Record<string, number | boolean>>;
  /** Per-parameter step counters (Adam), keyed by parameter name. */
  steps: Record<string, number>;
}

function isModule(x: unknown): x is HasNamedParameters {
  return typeof (x as HasNamedParameters)?.namedParameters === 'function';
}

function toNamed(x: NamedParams | HasNamedParameters): NamedParams {
  return isModule(x) ? x.namedParameters() : x;
}

/**
 * Base of every optimizer: parameter groups with PyTorch semantics, per-parameter state slots kept in
 * non-trainable variables (so an update never allocates a lasting tensor after its first step), and
 * state export keyed by parameter names for checkpoints.
 *
 * @example
 * ```ts
 * import { sgd } from '@residual/train';
 * const opt = sgd({ params: model, lr: 0.1, momentum: 0.9 });
 * opt.paramGroups[0].lr = 0.01;                 // what schedulers do
 * opt.step({ 'fc.weight': gradOfFcWeight });     // gradients by parameter name
 * const saved = opt.state();                     // { tensors: { 'momentum_buffer.fc.weight': ... }, ... }
 * ```
 */
export abstract class Optimizer<O extends { lr: number }> {
  /** The parameter groups, as `optimizer.param_groups` in PyTorch. Schedulers write `group.lr`. */
  readonly paramGroups: Array<ParamGroup<O>> = [];
  /** Optimizer steps taken (calls of {@link Optimizer.step}). */
  stepCount = 0;
  /** slot name → parameter name → state tensor. */
  protected readonly slots = new Map<string, Map<string, tf.Variable>>();
  /** Per-parameter step counters. */
  protected readonly paramSteps = new Map<string, number>();
  private attached = false;

  protected constructor(
    readonly defaults: O,
    params?: ParamsInput<O>,
  ) {
    if (!(defaults.lr >= 0)) throw new RangeError(`@residual/train optimizer: invalid lr ${defaults.lr}`);
    if (params !== undefined) this.attach(params);
    else this.paramGroups.push(this.makeGroup({ params: [] } as unknown as ParamGroupSpec<O>));
  }

  /**
   * Give the optimizer its parameters when it was built without them (as `fit` does with the model's).
   * Groups already holding parameters are kept; a lone empty default group is filled.
   */
  attach(params: ParamsInput<O>): this {
    if (this.attached) throw new Error('@residual/train optimizer: parameters were already attached');
    const specs: Array<ParamGroupSpec<O>> =
      Array.isArray(params) && params.length > 0 && !Array.isArray(params[0])
        ? (params as Array<ParamGroupSpec<O>>)
        : [{ params: params as NamedParams | HasNamedParameters } as ParamGroupSpec<O>];
    const seen = new Set<string>();
    const groups = specs.map((s) => this.makeGroup(s));
    for (const g of groups)
      for (const [name] of g.params) {
        if (seen.has(name)) throw new Error(`@residual/train optimizer: parameter '${name}' is in more than one group`);
        seen.add(name);
      }
    // Keep lr values a scheduler may already have written into the placeholder group.
    const placeholder = this.paramGroups.length === 1 && this.paramGroups[0].params.length === 0 ? this.paramGroups[0] : null;
    if (placeholder && groups.length === 1) {
      placeholder.params = groups[0].params;
    } else {
      this.paramGroups.length = 0;
      this.paramGroups.push(...groups);
    }
    this.attached = true;
    return this;
  }

  /** Whether parameters have been given. */
  get hasParams(): boolean {
    return this.attached;
  }

  private makeGroup(spec: ParamGroupSpec<O>): ParamGroup<O> {
    const { params, ...over } = spec;
    const lr = (over as unknown as Partial<O>).lr ?? this.defaults.lr;
    return { ...this.defaults, ...over, lr, initialLr: lr, params: toNamed(params) } as ParamGroup<O>;
  }

  /**
   * Apply one update. `grads` maps parameter names to gradients (internal layout, same shape as the
   * variable); parameters without a gradient are skipped as PyTorch skips `grad is None`.
   * The gradients are not disposed.
   */
  step(grads: Record<string, tf.Tensor | undefined>): void {
    this.stepCount++;
    for (const group of this.paramGroups) {
      for (const [name, p] of group.params) {
        const g = grads[name];
        if (!g) continue;
        if (g.shape.length !== p.shape.length || g.shape.some((d, i) => d !== p.shape[i]))
          throw new Error(`@residual/train optimizer: gradient of '${name}' has shape [${g.shape}], parameter has [${p.shape}]`);
        this.paramSteps.set(name, (this.paramSteps.get(name) ?? 0) + 1);
        tf.tidy(() => this.update(name, p, g, group));
      }
    }
  }

  /** One parameter's update, run inside `tf.tidy`. */
  protected abstract update(name: string, p: tf.Variable, g: tf.Tensor, group: ParamGroup<O>): void;

  protected getSlot(slot: string, name: string): tf.Variable | undefined {
    return this.slots.get(slot)?.get(name);
  }

  /** Store a new slot tensor (kept out of the surrounding tidy) or overwrite the existing one. */
  protected setSlot(slot: string, name: string, value: tf.Tensor): tf.Variable {
    let m = this.slots.get(slot);
    if (!m) this.slots.set(slot, (m = new Map()));
    const v = m.get(name);
    if (v) {
      v.assign(value);
      return v;
    }
    const created = tf.variable(value, false, `optim/${slot}/${name}/${Optimizer.uid++}`);
    m.set(name, created);
    return created;
  }
  private static uid = 0;

  /** Current learning rate of every group. */
  get lrs(): number[] {
    return this.paramGroups.map((g) => g.lr);
  }

  /** Export buffers and hyper-parameters (tensors are clones; the caller disposes them). */
  state(): OptimizerState {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [slot, m] of this.slots) for (const [name, v] of m) tensors[`${slot}.${name}`] = tf.clone(v);
    const groups = this.paramGroups.map((g) => {
      const out: Record<string, number | boolean> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params' && (typeof v === 'number' || typeof v === 'boolean')) out[k] = v;
      return out;
    });
    return { tensors, groups, steps: Object.fromEntries(this.paramSteps) };
  }

  /** Restore what {@link Optimizer.state} exported. Tensors are copied; the caller keeps ownership. */
  loadState(state: OptimizerState, stepCount?: number): void {
    if (state.groups.length !== this.paramGroups.length)
      throw new Error(`@residual/train optimizer: state has ${state.groups.length} groups, optimizer has ${this.paramGroups.length}`);
    state.groups.forEach((g, i) => Object.assign(this.paramGroups[i], g));
    const known = new Set(this.paramGroups.flatMap((g) => g.params.map(([n]) => n)));
    this.disposeSlots();
    for (const [key, t] of Object.entries(state.tensors)) {
      const dot = key.indexOf('.');
      const slot = key.slice(0, dot);
      const name = key.slice(dot + 1);
      if (!known.has(name)) throw new Error(`@residual/train optimizer: state has a buffer for unknown parameter '${name}'`);
      tf.tidy(() => this.setSlot(slot, name, tf.clone(t)));
    }
    this.paramSteps.clear();
    for (const [n, s] of Object.entries(state.steps)) this.paramSteps.set(n, s);
    if (stepCount !== undefined) this.stepCount = stepCount;
  }

  private disposeSlots(): void {
    for (const m of this.slots.values()) for (const v of m.values()) v.dispose();
    this.slots.clear();
  }

  /** Free the state buffers. */
  dispose(): void {
    this.disposeSlots();
  }
}

/**
 * Split parameters into two groups, with and without weight decay: rank ≤ 1 tensors (BatchNorm
 * weights and biases, every bias) get `weightDecay: 0`, as is common practice.
 *
 * @example
 * ```ts
 * import { sgd, noDecayOnNormAndBias } from '@residual/train';
 * const opt = sgd({ params: noDecayOnNormAndBias(model.namedParameters()), lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
 * ```
 */
export function noDecayOnNormAndBias(params: NamedParams | HasNamedParameters): Array<{ params: NamedParams; weightDecay?: number }> {
  const named = toNamed(params);
  const decay = named.filter(([, v]) => v.rank > 1);
  const noDecay = named.filter(([, v]) => v.rank <= 1);
  return [{ params: decay }, { params: noDecay, weightDecay: 0 }];
}
