import { tf } from '@residual/tensor';

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /**
   * Require the keys of the state dict to match the module's exactly (PyTorch's `strict`).
   * @defaultValue true
   */
  strict?: boolean;
}

/** What {@link Module.loadStateDict} found missing or left over (PyTorch's `_IncompatibleKeys`). */
export interface LoadStateDictResult {
  /** Keys the module has that the state dict lacks. */
  missingKeys: string[];
  /** Keys of the state dict the module has no place for. */
  unexpectedKeys: string[];
}

const NAME_RE = /^[A-Za-z0-9_]+$/;

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/**
 * Base class of every layer and model, shaped like `torch.nn.Module`.
 *
 * A module registers its parameters (trainable `tf.Variable`s), buffers (non-trainable variables such
 * as BatchNorm's running statistics) and submodules under names; recursive names are joined with `.`
 * exactly as PyTorch does, so {@link Module.stateDict} keys equal torchvision's
 * (`layer1.0.downsample.0.weight`, `bn1.num_batches_tracked`, ...).
 *
 * Tensors inside are NHWC. Each layer owns the conversion between its internal layout and PyTorch's
 * through {@link Module.stateDictPermutation} (or, for anything more exotic, by overriding
 * {@link Module.toStateDictTensor} / {@link Module.fromStateDictTensor}).
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { Module, Conv2d, BatchNorm2d } from '@residual/nn';
 *
 * class Stem extends Module {
 *   readonly conv1 = this.registerModule('conv1', new Conv2d(3, 8, 3, { padding: 1, bias: false }));
 *   readonly bn1 = this.registerModule('bn1', new BatchNorm2d(8));
 *   forward(x: tf.Tensor): tf.Tensor {
 *     return tf.tidy(() => tf.relu(this.bn1.forward(this.conv1.forward(x))));
 *   }
 * }
 * const stem = new Stem();
 * Object.keys(stem.stateDict()); // ['conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', ...]
 * ```
 */
export abstract class Module {
  /** Train mode (batch statistics in BatchNorm); `true` after construction, as in PyTorch. */
  training = true;
  private readonly params = new Map<string, tf.Variable>();
  private readonly buffers = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();

  /** Compute the module's output. Inputs are NHWC; outputs NHWC or `[N, C]`. */
  abstract forward(x: tf.Tensor): tf.Tensor;

  /**
   * Register a trainable parameter. The module takes ownership of `value`: a plain tensor is turned
   * into a `tf.Variable` and disposed; a `tf.Variable` is kept as is.
   */
  protected registerParameter(name: string, value: tf.Tensor): tf.Variable {
    this.checkName(name);
    const v = this.toVariable(value, true);
    this.params.set(name, v);
    return v;
  }

  /** Register a non-trainable state tensor (running statistics). Takes ownership of `value`. */
  protected registerBuffer(name: string, value: tf.Tensor): tf.Variable {
    this.checkName(name);
    const v = this.toVariable(value, false);
    this.buffers.set(name, v);
    return v;
  }

  /** Register a submodule; its names appear under `name.` in this module's names. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.checkName(name);
    if (!(m instanceof Module)) throw new TypeError(`registerModule('${name}'): expected a Module`);
    this.children.set(name, m);
    return m;
  }

  private checkName(name: string): void {
    if (!NAME_RE.test(name)) {
      throw new Error(`${this.constructor.name}: invalid name '${name}' (letters, digits and '_' only)`);
    }
    if (this.params.has(name) || this.buffers.has(name) || this.children.has(name)) {
      throw new Error(`${this.constructor.name}: '${name}' is already registered`);
    }
  }

  private toVariable(value: tf.Tensor, trainable: boolean): tf.Variable {
    if (value instanceof tf.Variable) {
      value.trainable = trainable;
      return value;
    }
    const v = tf.variable(value, trainable, undefined, value.dtype);
    value.dispose();
    return v;
  }

  /** Direct submodules with their names, in registration order. */
  namedChildren(): Array<[string, Module]> {
    return [...this.children.entries()];
  }

  /** Every module of the tree (this one first, as `''`), depth-first in registration order. */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [name, child] of this.children) {
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    }
    return out;
  }

  /**
   * The submodule at a dotted path, as `torch.nn.Module.get_submodule`.
   *
   * @example
   * ```ts
   * model.getSubmodule('layer1.0.downsample.0'); // a Conv2d
   * ```
   */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    const parts = target.split('.');
    return parts.reduce<Module>((m, part, i) => {
      const next = m.children.get(part);
      if (!next) {
        const where = i ? `'${parts.slice(0, i).join('.')}' (${m.constructor.name})` : this.constructor.name;
        throw new Error(`getSubmodule('${target}'): ${where} has no submodule '${part}'`);
      }
      return next;
    }, this);
  }

  /**
   * Call `fn` on every submodule and then on this module (children first, as `torch.nn.Module.apply`).
   *
   * @example
   * ```ts
   * model.apply((m) => { if (m instanceof BatchNorm2d) m.eval(); });
   * ```
   */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children.values()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Parameters with their dotted names, e.g. `['layer1.0.conv1.weight', v]`. */
  namedParameters(): Array<[string, tf.Variable]> {
    return this.collect((m) => m.params);
  }

  /** All trainable variables, in {@link Module.namedParameters} order. */
  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  /** Buffers with their dotted names, e.g. `['bn1.running_mean', v]`. */
  namedBuffers(): Array<[string, tf.Variable]> {
    return this.collect((m) => m.buffers);
  }

  private collect(pick: (m: Module) => Map<string, tf.Variable>): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, v] of pick(m)) out.push([prefix ? `${prefix}.${name}` : name, v]);
    }
    return out;
  }

  /** Set train (`true`) or eval (`false`) mode on this module and every submodule. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Eval mode: BatchNorm uses its running statistics. Same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Number of scalar parameters (trainable only, buffers excluded). */
  numParameters(): number {
    return this.parameters().reduce((n, v) => n + v.size, 0);
  }

  /**
   * The permutation taking this module's internal layout of tensor `name` to PyTorch's (as for
   * `tf.transpose`), or `null` when the layouts agree. Layers with a different layout override it.
   */
  protected stateDictPermutation(_name: string, _rank: number): number[] | null {
    return null;
  }

  /** Convert one of this module's own tensors to PyTorch layout; returns a new tensor. */
  protected toStateDictTensor(name: string, value: tf.Tensor): tf.Tensor {
    const perm = this.stateDictPermutation(name, value.rank);
    return perm ? tf.transpose(value, perm) : tf.clone(value);
  }

  /** Convert a tensor in PyTorch layout to this module's layout for tensor `name`; returns a new tensor. */
  protected fromStateDictTensor(name: string, value: tf.Tensor): tf.Tensor {
    const perm = this.stateDictPermutation(name, value.rank);
    return perm ? tf.transpose(value, inversePermutation(perm)) : tf.clone(value);
  }

  /** The PyTorch-layout shape of this module's tensor `name` whose internal shape is `shape`. */
  protected stateDictShape(name: string, shape: readonly number[]): number[] {
    const perm = this.stateDictPermutation(name, shape.length);
    return perm ? perm.map((p) => shape[p]) : [...shape];
  }

  private entries(): Array<{ key: string; local: string; owner: Module; v: tf.Variable }> {
    const out: Array<{ key: string; local: string; owner: Module; v: tf.Variable }> = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const map of [m.params, m.buffers]) {
        for (const [local, v] of map)
          out.push({ key: prefix ? `${prefix}.${local}` : local, local, owner: m, v });
      }
    }
    return out;
  }

  /**
   * Parameters and buffers in PyTorch layouts (OIHW conv weights, `[out, in]` linear weights) under
   * torchvision's key names, in PyTorch's order. The tensors are new: the caller disposes them.
   */
  stateDict(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const { key, local, owner, v } of this.entries()) out[key] = owner.toStateDictTensor(local, v);
    return out;
  }

  /**
   * Copy a state dict (PyTorch layouts) into this module's variables. Shapes must match; a mismatch
   * throws naming the key and both shapes. With `strict` (default) missing or unexpected keys throw
   * before anything is copied. The caller keeps ownership of `sd`.
   */
  loadStateDict(sd: Record<string, tf.Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const entries = this.entries();
    const known = new Set(entries.map((e) => e.key));
    const missingKeys = entries.filter((e) => !(e.key in sd)).map((e) => e.key);
    const unexpectedKeys = Object.keys(sd).filter((k) => !known.has(k));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
      throw new Error(`loadStateDict(${this.constructor.name}): ${parts.join('; ')}`);
    }
    const todo = entries.filter((e) => e.key in sd);
    for (const { key, local, owner, v } of todo) {
      const want = owner.stateDictShape(local, v.shape);
      const got = sd[key].shape;
      if (!sameShape(want, got)) {
        throw new Error(
          `loadStateDict(${this.constructor.name}): size mismatch for ${key}: ` +
            `copying a tensor of shape ${shapeText(got)}, the module's shape is ${shapeText(want)}`,
        );
      }
    }
    for (const { key, local, owner, v } of todo) {
      tf.tidy(() => {
        const src = sd[key];
        const t = owner.fromStateDictTensor(local, src.dtype === v.dtype ? src : tf.cast(src, v.dtype));
        v.assign(t);
      });
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Convert `value`, shaped like this tree's parameter or buffer `key` (e.g. its gradient), to the
   * PyTorch layout {@link Module.stateDict} uses for `key`. Returns a new tensor.
   *
   * @example
   * ```ts
   * const grads = tf.variableGrads(loss, model.parameters()).grads;
   * const [name, w] = model.namedParameters()[0];
   * model.toStateDictLayout(name, grads[w.name]); // OIHW for a conv weight
   * ```
   */
  toStateDictLayout(key: string, value: tf.Tensor): tf.Tensor {
    const entry = this.entries().find((e) => e.key === key);
    if (!entry)
      throw new Error(`toStateDictLayout(${this.constructor.name}): no parameter or buffer named '${key}'`);
    return entry.owner.toStateDictTensor(entry.local, value);
  }

  /**
   * The layer's own settings for `toString()` (PyTorch's `print(model)`), as PyTorch's `extra_repr`
   * (e.g. `'64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True'`).
   */
  protected extraRepr(): string {
    return '';
  }

  /**
   * A description of the module tree in PyTorch's `print(model)` format.
   *
   * @example
   * ```ts
   * String(new Sequential(new Conv2d(3, 8, 3), new ReLU()));
   * // Sequential(
   * //   (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))
   * //   (1): ReLU()
   * // )
   * ```
   */
  toString(): string {
    const lines = [...this.children].map(
      ([name, child]) => `(${name}): ${child.toString().split('\n').join('\n  ')}`,
    );
    const extra = this.extraRepr();
    const head = `${this.constructor.name}(${extra}`;
    if (lines.length === 0) return `${head})`;
    const extraLines = extra ? extra.split('\n') : [];
    return `${this.constructor.name}(\n  ${[...extraLines, ...lines].join('\n  ')}\n)`;
  }

  /** Free every parameter and buffer of the tree. The module cannot be used afterwards. */
  dispose(): void {
    for (const [, v] of [...this.namedParameters(), ...this.namedBuffers()]) v.dispose();
  }
}
