import type { Command } from './command';
import { parse, required, intOption, mustExist } from '../util/args';
import { CliError } from '../util/errors';
import { readNpy, writeNpy, toFloat32 } from '../npy';
import { existsSync } from 'node:fs';
import { buildModel, decodeWeightsFile, findEntry, headShape, loadStateInto, parseRenameKeys, type ZooEntry } from '../zoo';
import { selectBackend, BACKEND_HELP } from '../util/backend';
import { cardPreprocessing, loadImages, weightsPreprocessing, type ImagePreprocessing } from '../util/images';
import type { Io } from '../util/io';

const HELP = `Usage:
  residual predict --model NAME --weights TAG|FILE --image A.jpg [B.png ...] [options]
  residual predict --model NAME --weights TAG|FILE --input X.npy --output Y.npy [options]

Runs a forward pass. With --image, each image is decoded as stored (EXIF orientation is not applied,
as torchvision does not; predict says so when a file has one), resized, cropped and normalized, and
the top-5 classes are printed with their probabilities. With --input, X.npy holds an NCHW float batch
(as PyTorch holds data; it is transposed to NHWC inside) and the logits [N, classes] are written to
Y.npy as float32.

--weights TAG picks a published weight set of the model ('residual models --json' lists them), e.g.
  residual predict --model resnet50 --weights IMAGENET1K_V2 photo.jpg
It is downloaded once into $RESIDUAL_HOME/weights (default ~/.cache/residual/weights), its SHA-256 is
checked, and the images get that weight set's own preprocessing (IMAGENET1K_V2: shorter side 232,
centre crop 224; V1: 256 and 224). DEFAULT is torchvision's default. Offline, the cached file is used.
Without a tag, images are prepared as the model's card says (ImageNet-sized models: shorter side to
256, centre crop 224; small models: resized to their input size).

Weights are a state dict as PyTorch writes it — torch.save(model.state_dict(), 'w.pth'), torchvision's
downloaded .pth files, or safetensors.torch.save_file(...) — with torchvision key names and layouts (OIHW
convolutions); every key must match the model. .pth files are read without running any of their code.

Options:
  --model NAME        a model of 'residual models' (e.g. resnet18, resnet20)
  --weights TAG|FILE  a published weight set (IMAGENET1K_V1, IMAGENET1K_V2, DEFAULT) or a state dict
                      file: a PyTorch .pth (torch.save, torchvision downloads) or .safetensors
  --rename-keys F=T   rename key prefix F to T first (repeatable; e.g. module.= linear.=fc. for CIFAR scripts)
  --input X.npy       NCHW batch (float32/float64/uint8/... are read as float32)
  --output Y.npy      where to write the logits (with --input)
  --image FILE...     image files (jpg, png, webp, ...) to classify instead of --input
  --top K             classes to show per image (default 5)
  --json              print image predictions as JSON
  --batch-size N      images per forward pass (default 64)
  --num-classes N     classes of the head (default: read from the weights' fc.weight)
  --in-channels C     input channels (default: read from the weights' conv1.weight)
  --mirror URL        download weight sets from this base URL instead (or RESIDUAL_WEIGHTS_MIRROR)
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
      mirror: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
    }, true);
    const modelName = required('predict', values, 'model');
    findEntry(modelName);
    const images = [...((values.image as string[] | undefined) ?? []), ...positionals];
    if (positionals.length && values.input) throw new CliError(`unexpected argument '${positionals[0]}' with --input (see 'residual predict --help')`, 2);
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

    // The backend first: tensors made before it is chosen (the decoded weights) would live on tfjs's
    // default (cpu) backend.
    await selectBackend(values.backend as string | undefined, values.threads as string | undefined);
    // A published weight set by tag, or a state-dict file.
    const zoo = await import('@residual/zoo');
    const isTag = !existsSync(weights) && /^[A-Z][A-Z0-9_]*$/.test(weights);
    let source = weights;
    let bytes: Uint8Array | undefined;
    let published: import('@residual/zoo').PretrainedWeights | undefined;
    if (isTag) {
      try {
        published = zoo.getWeights(modelName, weights);
        const got = await zoo.fetchWeights(published, { progress: downloadProgress(io), mirror: values.mirror as string | undefined });
        bytes = got.bytes;
        source = got.path ?? published.url;
      } catch (e) {
        throw new CliError((e as Error).message);
      }
    } else {
      mustExist(weights, 'weights file');
    }
    const sd = decodeWeightsFile(source, bytes, parseRenameKeys(values['rename-keys']));
    // Classes and input channels follow the weights (a Fashion-MNIST ResNet-20 has 1 channel).
    const shapeOptions = { ...headShape(sd) };
    const k = intOption(values, 'num-classes');
    const c = intOption(values, 'in-channels');
    if (k !== undefined) shapeOptions.numClasses = k;
    if (c !== undefined) shapeOptions.inChannels = c;
    const entry = findEntry(modelName, shapeOptions);
    if (published) entry.classes = [...(await import('@residual/datasets')).datasetInfo(published.classes).classNames];
    const model = buildModel(modelName, shapeOptions);
    const { tf } = await import('@residual/tensor');
    loadStateInto(model, source, sd);
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
      const pre: ImagePreprocessing = published ? weightsPreprocessing(published.preprocessing) : await cardPreprocessing(entry);
      nhwc = await loadImages(images, entry.inChannels, pre, (line) => io.err(`${line}\n`));
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

/** Download progress on stderr: where from and to, then a line at every tenth. */
function downloadProgress(io: Io): (received: number, total: number) => void {
  let shown = -1;
  return (received, total) => {
    if (shown < 0) io.err(`downloading${total ? ` ${(total / 1e6).toFixed(1)} MB` : ''}…\n`);
    const tenth = total ? Math.floor((10 * received) / total) : 0;
    if (tenth > shown) {
      shown = tenth;
      if (total && tenth > 0) io.err(`  ${tenth * 10}% (${(received / 1e6).toFixed(1)} MB)\n`);
    }
  };
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

