import { tf, seed, Rng } from '@residual/tensor';
import { foldBatchNorm, type Module } from '@residual/nn';
import { createModel } from '@residual/zoo';
import { sgd, trainStep, resolveLoss } from '@residual/train';

/** A benchmark case: names are shared with `tools/bench/torch_bench.py`. */
export interface CaseSpec {
  /** `<model>-<mode>`, with `+fold` for inference with BatchNorm folded into the convolutions. */
  name:
    | 'resnet20-train'
    | 'resnet20-infer'
    | 'resnet20-infer+fold'
    | 'resnet50-infer'
    | 'resnet50-infer+fold'
    | 'resnet50-train';
  model: 'resnet20' | 'resnet50';
  mode: 'train' | 'infer';
  batch: number;
  /** Input height = width. */
  size: number;
  numClasses: number;
  /** Fold BatchNorm into the convolutions before timing (see {@link foldBatchNorm}). */
  fold?: boolean;
}

/**
 * The cases the headline ratios come from (`train_ratio`, `infer_ratio`): always timed with a warm-up
 * and at least 3 repetitions on the fast backends, whatever the budget.
 * @example
 * ```ts
 * import { HEADLINE_CASES } from '@residual/bench';
 * HEADLINE_CASES.includes('resnet20-train'); // true
 * ```
 */
export const HEADLINE_CASES: readonly string[] = ['resnet20-train', 'resnet20-infer', 'resnet20-infer+fold', 'resnet50-infer', 'resnet50-infer+fold'];

/**
 * Every case the harness knows, in the order it runs them.
 *
 * @example
 * ```ts
 * import { CASES } from '@residual/bench';
 * CASES.filter((c) => c.mode === 'train').map((c) => c.name); // ['resnet20-train', ...]
 * ```
 */
export const CASES: readonly CaseSpec[] = [
  { name: 'resnet20-train', model: 'resnet20', mode: 'train', batch: 128, size: 32, numClasses: 10 },
  { name: 'resnet20-infer', model: 'resnet20', mode: 'infer', batch: 128, size: 32, numClasses: 10 },
  { name: 'resnet20-infer+fold', model: 'resnet20', mode: 'infer', batch: 128, size: 32, numClasses: 10, fold: true },
  { name: 'resnet50-infer', model: 'resnet50', mode: 'infer', batch: 16, size: 224, numClasses: 1000 },
  { name: 'resnet50-infer+fold', model: 'resnet50', mode: 'infer', batch: 16, size: 224, numClasses: 1000, fold: true },
  { name: 'resnet50-train', model: 'resnet50', mode: 'train', batch: 32, size: 224, numClasses: 1000 },
];

/** A prepared case: `run()` does one timed unit of work and settles once it is finished. */
export interface PreparedCase {
  spec: CaseSpec;
  run(): void | Promise<void>;
  dispose(): void;
}

/**
 * Build the model and inputs of a case on the active backend. Training uses SGD (lr 0.1, momentum 0.9,
 * weight decay 5e-4, as torch_bench.py) and softmax cross-entropy; one `run()` is one
 * `trainStep` on one batch, synchronised by reading the loss back.
 * @example
 * ```ts
 * const c = prepareCase(CASES[1]);
 * await c.run();
 * c.dispose();
 * ```
 */
export function prepareCase(spec: CaseSpec): PreparedCase {
  seed(0);
  const model = createModel(spec.model, { numClasses: spec.numClasses }) as Module;
  const rng = new Rng(1);
  const n = spec.batch * spec.size * spec.size * 3;
  const xs = new Float32Array(n);
  for (let i = 0; i < n; i++) xs[i] = rng.normal();
  const x = tf.tensor4d(xs, [spec.batch, spec.size, spec.size, 3]);
  const labels = Int32Array.from({ length: spec.batch }, () => rng.randint(0, spec.numClasses));
  const y = tf.tensor1d(labels, 'int32');
  if (spec.mode === 'infer') {
    model.eval();
    const fold = spec.fold ? foldBatchNorm(model) : null;
    return {
      spec,
      run: async () => {
        const out = tf.tidy(() => model.forward(x));
        await out.data();
        out.dispose();
      },
      dispose: () => {
        fold?.restore();
        tf.dispose([x, y]);
        model.dispose();
      },
    };
  }
  model.train();
  // The path users train with: @residual/train's trainStep (forward, cross-entropy, variableGrads,
  // optimizer update, loss read back).
  const optimizer = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4, params: model });
  const lossFn = resolveLoss(undefined);
  let iteration = 0;
  const step = async () => {
    await trainStep(model, optimizer, x, y, lossFn, { epoch: 0, iteration: ++iteration });
  };
  return {
    spec,
    run: step,
    dispose: () => {
      tf.dispose([x, y]);
      model.dispose();
      optimizer.dispose();
    },
  };
}
