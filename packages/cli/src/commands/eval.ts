import type { Command } from './command';
import { parse, required, intOption, mustExist } from '../util/args';
import { CliError, unknownName } from '../util/errors';
import { BACKEND_HELP, selectBackend } from '../util/backend';
import { buildModel, findEntry, loadWeights, parseRenameKeys } from '../zoo';
import { DATASETS, type DatasetName } from '../recipes/schema';
import { loadSplits, buildTransforms } from '../recipes/data';
import { datasetInfo } from '@residual/datasets';

/** Fashion-MNIST's normalisation (the zoo's cards carry CIFAR or ImageNet statistics). */
const fashionNorm = () => ({ mean: [...datasetInfo('fashion-mnist').mean], std: [...datasetInfo('fashion-mnist').std] });

const HELP = `Usage: residual eval --model NAME --weights FILE.pth|FILE.safetensors --dataset NAME [options]

Evaluates weights (a torch-style state dict: .pth or .safetensors) on a dataset's test split in eval mode:
top-1/top-5 accuracy and error, and the cross-entropy. Inputs are normalised with the model card's
mean and std. By default ImageNet images are resized to 256 and center-cropped to 224 (torchvision's
single-crop protocol); other datasets are used at their size.

The paper's protocols (He et al. §3.4) run on each whole image at its own aspect ratio:
  --scales 224,256,384,480,640   fully-convolutional multi-scale testing: the shorter side resized to
                                 each scale (from the uint8 image, antialiased as in training), the
                                 whole image through the network
  --ten-crop                     10-crop testing: ten crops of --crop-size from the image resized to
                                 shorter side 256 (or to each of --scales)
Scores are combined by averaging the class probabilities (--average softmax, the paper's "average the
scores") or the logits (--average logits, one softmax after; torchvision's TenCrop example);
--flip adds each scale's mirror image to the fully-convolutional test.

Options:
  --model NAME          a model of 'residual models'
  --weights FILE        state dict: a PyTorch .pth or .safetensors
  --rename-keys F=T     rename key prefix F to T first (repeatable; e.g. module.= linear.=fc.)
  --dataset NAME        cifar10, cifar100, fashion-mnist or imagenet
  --data-dir DIR        dataset directory (default: $RESIDUAL_DATA/<dataset>, ~/.cache/residual/<dataset>)
  --ten-crop            average softmax scores over ten crops
  --crop-size N         crop side for --ten-crop (default 224 for ImageNet, else the image side)
  --scales A,B,...      shorter sides to average over (e.g. 224,256,384,480,640)
  --flip                also average the mirrored image (fully convolutional)
  --average MODE        softmax (default) or logits
  --batch-size N        images per batch (default 100)
  --limit N             evaluate the first N test images only
  --mean A,B,C --std A,B,C   input normalisation (default: the model card's; Fashion-MNIST 0.286/0.353)
  --json                print the result as JSON
  --no-fold             keep BatchNorm separate (by default it is folded into the convolutions for
                        inference: same results to float32 rounding, faster)
${BACKEND_HELP}
  -h, --help            show this help
`;

// Fashion-MNIST's per-channel statistics (the fashion-mnist-resnet20 recipe normalises with them).

function parseNorm(mean: unknown, std: unknown): { mean: number[]; std: number[] } | undefined {
  if (mean === undefined && std === undefined) return undefined;
  const nums = (v: unknown, name: string) => {
    const a = String(v ?? '').split(',').map(Number);
    if (!a.length || a.some((x) => !Number.isFinite(x))) throw new CliError(`--${name} must be comma-separated numbers, got '${String(v)}'`, 2);
    return a;
  };
  const m = nums(mean, 'mean');
  const s = nums(std, 'std');
  if (m.length !== s.length) throw new CliError(`--mean has ${m.length} values, --std ${s.length}`, 2);
  return { mean: m, std: s };
}

export const evalCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const { values } = parse('eval', argv, {
      model: { type: 'string' },
      weights: { type: 'string' },
      'rename-keys': { type: 'string', multiple: true },
      dataset: { type: 'string' },
      'data-dir': { type: 'string' },
      'ten-crop': { type: 'boolean' },
      'crop-size': { type: 'string' },
      scales: { type: 'string' },
      flip: { type: 'boolean' },
      average: { type: 'string' },
      'batch-size': { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      'no-fold': { type: 'boolean' },
      mean: { type: 'string' },
      std: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
    });
    const modelName = required('eval', values, 'model');
    const entry = findEntry(modelName);
    const weights = required('eval', values, 'weights');
    const dataset = required('eval', values, 'dataset');
    if (!(DATASETS as readonly string[]).includes(dataset) || dataset === 'fake') {
      throw unknownName('dataset', dataset, DATASETS.filter((d) => d !== 'fake'), 'see residual eval --help');
    }
    mustExist(weights, 'weights file');
    const scales = values.scales === undefined ? undefined : String(values.scales).split(',').map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1) throw new CliError(`--scales must be comma-separated sizes, got '${String(values.scales)}'`, 2);
      return n;
    });
    const tenCrop = !!values['ten-crop'];
    const average = (values.average as string | undefined) ?? 'softmax';
    if (average !== 'softmax' && average !== 'logits') throw new CliError(`--average must be softmax or logits, got '${average}'`, 2);
    const paper = tenCrop || scales !== undefined;
    if (values.flip && !paper) throw new CliError('--flip applies to --scales (the fully-convolutional test)', 2);
    const batchSize = intOption(values, 'batch-size') ?? 100;
    const limit = intOption(values, 'limit');

    await selectBackend(values.backend as string | undefined, values.threads as string | undefined);
    const [datasets, train] = await Promise.all([import('@residual/datasets'), import('@residual/train')]);
    const { test } = await loadSplits(dataset as DatasetName, values['data-dir'] as string | undefined);
    const testSet = limit && limit < test.length ? new datasets.Subset(test, Array.from({ length: limit }, (_, i) => i)) : test;
    const specs = dataset === 'imagenet' ? [{ name: 'Resize' as const, size: 256 }, { name: 'CenterCrop' as const, size: 224 }] : [];
    const t = await buildTransforms(specs, 'eval');
    const normalize = parseNorm(values.mean, values.std) ?? (dataset === 'fashion-mnist' ? fashionNorm() : { mean: entry.mean, std: entry.std });
    const loader = new datasets.DataLoader(testSet, { batchSize, transform: t.transform, normalize });

    const channels = dataset === 'fashion-mnist' ? 1 : 3;
    const numClasses = dataset === 'cifar100' ? 100 : dataset === 'imagenet' ? 1000 : 10;
    const model = buildModel(modelName, { numClasses, inChannels: channels });
    try {
      await loadWeights(model, weights, undefined, parseRenameKeys(values['rename-keys']));
      // Inference: BatchNorm folded into the convolutions (same results to float32 rounding, faster).
      model.eval();
      if (!values['no-fold']) (await import('@residual/nn')).foldBatchNorm(model);
      const started = Date.now();
      // Progress on stderr: a line every tenth of the images (and the last), with the rate.
      const total = testSet.length;
      let shown = 0;
      const onBatch = (done: number) => {
        if (done < total && done - shown < total / 10) return;
        shown = done;
        const s = (Date.now() - started) / 1000;
        io.err(`eval ${done}/${total} images, ${(done / Math.max(s, 1e-9)).toFixed(0)} img/s\n`);
      };
      const cropSize = intOption(values, 'crop-size') ?? (dataset === 'imagenet' ? 224 : datasetInfo(dataset as DatasetName).height);
      const protocol = paper
        ? { tenCrop, scales: scales ?? (tenCrop ? [dataset === 'imagenet' ? 256 : cropSize] : []), cropSize, flip: !!values.flip, average: average as 'softmax' | 'logits' }
        : null;
      const r = protocol
        ? await train.evaluateImages(model, testSet, { ...protocol, ...normalize, onImage: onBatch })
        : await train.evaluate(model, loader, { onBatch });
      const result = { model: modelName, weights, dataset, protocol: protocol ?? { tenCrop: false, scales: null }, ...r, seconds: (Date.now() - started) / 1000 };
      if (values.json) io.out(JSON.stringify(result, null, 2) + '\n');
      else {
        const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
        const how = protocol ? `${protocol.tenCrop ? `ten-crop ${cropSize}` : 'fully convolutional'}, scales ${protocol.scales.join('/')}${protocol.flip ? ', flips' : ''}, ${average} averaged` : 'single view';
        io.out(`${modelName} on ${dataset} (${r.count} images, ${how}): ` +
          `top-1 ${pct(r.acc1)} (error ${pct(r.top1Error)}), top-5 ${pct(r.acc5)} (error ${pct(r.top5Error)}), loss ${r.loss.toFixed(4)}\n`);
      }
    } finally {
      model.dispose();
    }
    return 0;
  },
};
