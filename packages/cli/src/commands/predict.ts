import type { Command } from './command';
import { parse, required, intOption, mustExist } from '../util/args';
import { CliError } from '../util/errors';
import { readNpy, writeNpy, toFloat32 } from '../npy';
import { readSafetensorsHeader } from '@residual/nn';
import { buildModel, findEntry, loadWeights, parseRenameKeys, readWeightsFile, type ZooEntry } from '../zoo';
import { selectBackend, BACKEND_HELP } from '../util/backend';
import { loadImages } from '../util/images';

const HELP = `Usage:
  residual predict --model NAME --weights FILE.pth|FILE.safetensors --input X.npy --output Y.npy [options]
  residual predict --model NAME --weights FILE.pth|FILE.safetensors --image A.jpg [B.png ...] [options]

Runs a forward pass. With --input, X.npy holds an NCHW float batch (as PyTorch holds data; it is
transposed to NHWC inside) and the logits [N, classes] are written to Y.npy as float32. With
--image, each image is resized and normalized as the model's card says (ImageNet models: shorter
side to 256, center crop 224) and the top-5 classes are printed.

Weights are a state dict as PyTorch writes it — torch.save(model.state_dict(), 'w.pth'), torchvision's
downloaded .pth files, or safetensors.torch.save_file(...) — with torchvision key names and layouts (OIHW
convolutions); every key must match the model. .pth files are read without running any of their code.

Options:
  --model NAME        a model of 'residual models' (e.g. resnet18, resnet20)
  --weights FILE      state dict: a PyTorch .pth (torch.save, torchvision downloads) or .safetensors
  --rename-keys F=T   rename key prefix F to T first (repeatable; e.g. module.= linear.=fc. for CIFAR scripts)
  --input X.npy       NCHW batch (float32/float64/uint8/... are read as float32)
  --output Y.npy      where to write the logits (with --input)
  --image FILE...     image files (jpg, png, webp, ...) to classify instead of --input
  --top K             classes to show per image (default 5)
  --json              print image predictions as JSON
  --batch-size N      images per forward pass (default 64)
  --num-classes N     classes of the head (default: read from the weights' fc.weight)
  --in-channels C     input channels (default: read from the weights' conv1.weight)
  --train-mode        use batch statistics in BatchNorm (model.train()); default is eval mode
  --no-fold           keep BatchNorm separate (eval mode folds it into the convolutions, as
                      @residual/nn's foldBatchNorm: same logits to float32 rounding, faster)
${BACKEND_HELP}
  -h, --help          show this help
`;

export const predictCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse('predict', argv, {
      model: { type: 'string' },
      weights: { type: 'string' },
      'rename-keys': { type: 'string', multiple: true },
      input: { type: 'string' },
      output: { type: 'string' },
      image: { type: 'string', multiple: true },
      top: { type: 'string' },
      json: { type: 'boolean' },
      'batch-size': { type: 'string' },
      'train-mode': { type: 'boolean' },
      'no-fold': { type: 'boolean' },
      'num-classes': { type: 'string' },
      'in-channels': { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
    }, true);
    const modelName = required('predict', values, 'model');
    findEntry(modelName);
    const images = [...((values.image as string[] | undefined) ?? []), ...positionals];
    if (positionals.length && !values.image) throw new CliError(`unexpected argument '${positionals[0]}' (see 'residual predict --help')`, 2);
    if (!images.length && !values.input) throw new CliError("give --input X.npy --output Y.npy, or --image FILE... (see 'residual predict --help')", 2);
    if (images.length && values.input) throw new CliError('give either --input or --image, not both', 2);
    const weights = required('predict', values, 'weights');
    const batchSize = intOption(values, 'batch-size') ?? 64;
    const top = intOption(values, 'top') ?? 5;
    let output: string | undefined;
    if (values.input) {
      output = required('predict', values, 'output');
      mustExist(values.input as string, 'input file');
    }
    images.forEach((p) => mustExist(p, 'image'));

    mustExist(weights, 'weights file');
    const weightBytes = readWeightsFile(weights);
    // Classes and input channels follow the weights (a Fashion-MNIST ResNet-20 has 1 channel).
    const shapeOptions = headOptions(weightBytes, intOption(values, 'num-classes'), intOption(values, 'in-channels'));
    const entry = findEntry(modelName, shapeOptions);
    // The backend first: tensors made before it is chosen would live on tfjs's default (cpu) backend.
    await selectBackend(values.backend as string | undefined, values.threads as string | undefined);
    const model = buildModel(modelName, shapeOptions);
    const { tf } = await import('@residual/tensor');
    await loadWeights(model, weights, weightBytes, parseRenameKeys(values['rename-keys']));
    if (values['train-mode']) model.train();
    else {
      model.eval();
      if (!values['no-fold']) (await import('@residual/nn')).foldBatchNorm(model);
    }

    let nhwc: import('@residual/tensor').Tensor;
    if (values.input) {
      const arr = readNpy(values.input as string);
      if (arr.shape.length !== 4) {
        throw new CliError(`${values.input}: expected an NCHW batch (4 dimensions), got shape (${arr.shape.join(', ')})`);
      }
      if (arr.shape.some((d) => d === 0)) throw new CliError(`${values.input}: the batch is empty (shape (${arr.shape.join(', ')})); nothing to predict`);
      const c = arr.shape[1]!;
      if (entry.inChannels !== undefined && c !== entry.inChannels) {
        throw new CliError(`${values.input}: ${modelName} takes ${entry.inChannels} channels, the batch has ${c} (shape (${arr.shape.join(', ')}); is it NHWC?)`);
      }
      nhwc = tf.tidy(() => tf.transpose(tf.tensor4d(toFloat32(arr), arr.shape as [number, number, number, number]), [0, 2, 3, 1]));
    } else {
      nhwc = await loadImages(images, entry);
    }

    const logits = forwardInBatches(model, nhwc, batchSize, tf);
    nhwc.dispose();
    const data = (await logits.data()) as Float32Array;
    const shape = logits.shape;
    logits.dispose();
    model.dispose();

    if (output) {
      writeNpy(output, { dtype: 'float32', shape, data });
      io.out(`wrote logits (${shape.join(', ')}) to ${output}\n`);
      return 0;
    }
    const results = topK(data, shape, top, entry).map((preds, i) => ({ image: images[i]!, predictions: preds }));
    if (values.json) io.out(JSON.stringify(results, null, 2) + '\n');
    else {
      for (const r of results) {
        io.out(`${r.image}\n`);
        r.predictions.forEach((p, k) => io.out(`  ${k + 1}. ${p.label.padEnd(28)} ${(p.probability * 100).toFixed(2).padStart(6)}%  (class ${p.index})\n`));
      }
    }
    return 0;
  },
};

/** numClasses / inChannels from the command line, else from the shapes of `fc.weight` and `conv1.weight`. */
function headOptions(weights: Uint8Array, numClasses?: number, inChannels?: number): { numClasses?: number; inChannels?: number } {
  const shapes: Record<string, number[]> = {};
  try {
    for (const [k, e] of Object.entries(readSafetensorsHeader(weights).tensors)) shapes[k] = e.shape;
  } catch {
    // loadWeights reports an unreadable file with its reason
  }
  const out: { numClasses?: number; inChannels?: number } = {};
  const k = numClasses ?? shapes['fc.weight']?.[0];
  const c = inChannels ?? shapes['conv1.weight']?.[1];
  if (k !== undefined) out.numClasses = k;
  if (c !== undefined) out.inChannels = c;
  return out;
}

type Tf = typeof import('@residual/tensor').tf;

/** Runs the model over `x` in chunks of `batchSize` along N and concatenates the logits. */
function forwardInBatches(model: { forward(x: import('@residual/tensor').Tensor): import('@residual/tensor').Tensor }, x: import('@residual/tensor').Tensor, batchSize: number, tf: Tf) {
  const n = x.shape[0]!;
  const parts: import('@residual/tensor').Tensor[] = [];
  for (let s = 0; s < n; s += batchSize) {
    const size = Math.min(batchSize, n - s);
    parts.push(tf.tidy(() => model.forward(tf.slice(x, [s, 0, 0, 0], [size, -1, -1, -1]))));
  }
  if (parts.length === 1) return parts[0]!;
  const out = tf.concat(parts, 0);
  parts.forEach((p) => p.dispose());
  return out;
}

interface Prediction { index: number; label: string; probability: number }

/** Softmax top-k of each row, labelled with the card's class names when it has them. */
export function topK(logits: Float32Array, shape: number[], k: number, entry: ZooEntry): Prediction[][] {
  const [n, c] = shape as [number, number];
  const out: Prediction[][] = [];
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * c, (i + 1) * c);
    const max = Math.max(...row);
    const exps = Array.from(row, (v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    const order = exps.map((e, j) => [e / sum, j] as const).sort((a, b) => b[0] - a[0]).slice(0, k);
    out.push(order.map(([p, j]) => ({ index: j, label: entry.classes?.[j] ?? `class ${j}`, probability: p })));
  }
  return out;
}

