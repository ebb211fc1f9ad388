import { tf } from '@residual/tensor';
import { Module } from '../module';

/**
 * Holds submodules under the names `'0'`, `'1'`, ... without running them, as `torch.nn.ModuleList`;
 * the owner decides how to call them.
 *
 * @example
 * ```ts
 * import { ModuleList, Linear } from '@residual/nn';
 * const heads = new ModuleList([new Linear(512, 10), new Linear(512, 100)]);
 * const outs = [...heads].map((h) => h.forward(features));
 * ```
 */
export class ModuleList extends Module {
  protected readonly items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Add a module at the end (named by its index). */
  append(m: Module): this {
    this.items.push(this.registerModule(String(this.items.length), m));
    return this;
  }

  /** Number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): Module {
    const m = this.items.at(index);
    if (!m) {
      throw new RangeError(
        `${this.constructor.name}.at(${index}): index out of range for length ${this.items.length}`,
      );
    }
    return m;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }

  forward(_x: tf.Tensor): tf.Tensor {
    throw new Error('ModuleList has no forward(): iterate over its modules and call them');
  }
}

/**
 * Runs its modules one after the other, as `torch.nn.Sequential`; children are named `'0'`, `'1'`, ...
 * so state-dict keys read `downsample.0.weight`.
 *
 * @example
 * ```ts
 * import { Sequential, Conv2d, BatchNorm2d } from '@residual/nn';
 * const downsample = new Sequential(new Conv2d(64, 128, 1, { stride: 2, bias: false }), new BatchNorm2d(128));
 * Object.keys(downsample.stateDict())[0]; // '0.weight'
 * ```
 */
export class Sequential extends ModuleList {
  constructor(...modules: Module[]) {
    super(modules);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    if (this.items.length === 0) return x;
    return tf.tidy(() => this.items.reduce((h, m) => m.forward(h), x));
  }
}
