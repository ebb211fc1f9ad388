// CIFAR networks of He et al. (2016), §4.2: 3×3 stem, three stages of widths 16/32/64 on 32×32,
// 16×16 and 8×8 maps, global average pooling and a 10-way fully connected layer.
import { registerModel, type CreateModelOptions, type ModelCard } from '../registry';
import { ResNet } from '../nets/resnet';
import { CIFAR10_MEAN, CIFAR10_STD, HE_2016, HE_2016B } from './common';

/** Options of the CIFAR ResNets. */
export type CifarResNetOptions = Pick<
  CreateModelOptions,
  'numClasses' | 'inChannels' | 'shortcut' | 'zeroInitResidual' | 'rng'
>;

/** Options of {@link cifarResNet}: any depth, basic (6n+2) or bottleneck (9n+2) units. */
export interface CifarResNetConfig extends CifarResNetOptions {
  depth: number;
  /** @defaultValue 'basic' */
  block?: 'basic' | 'bottleneck';
  /** No shortcuts (He et al.'s plain nets); basic units only. @defaultValue false */
  plain?: boolean;
}

/**
 * A CIFAR ResNet of any depth: 6n+2 layers of basic units (option A shortcuts by default, as in the
 * paper) or 9n+2 layers of bottleneck units (planes 16/32/64, outputs 64/128/256, projection
 * shortcuts, the design of He et al. 2016b's ResNet-164).
 *
 * @example
 * ```ts
 * import { cifarResNet } from '@residual/zoo';
 * const net = cifarResNet({ depth: 47, block: 'bottleneck' });
 * net.numParameters(); // 498586
 * ```
 */
export function cifarResNet(config: CifarResNetConfig): ResNet {
  const { depth, block = 'basic', plain = false } = config;
  const per = block === 'basic' ? 6 : 9;
  const n = (depth - 2) / per;
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(
      `cifar_resnet: depth ${depth} does not fit ${block} units (depth = ${per}n+2, e.g. ${per + 2}, ${2 * per + 2})`,
    );
  }
  if (plain && block !== 'basic') throw new Error('cifar_resnet: plain nets use basic units');
  if (block === 'bottleneck' && config.shortcut === 'A') {
    throw new Error("cifar_resnet: bottleneck units need projection shortcuts ('B' or 'C'), not 'A'");
  }
  return new ResNet({
    name: plain ? `plain${depth}` : block === 'basic' ? `resnet${depth}` : `cifar_resnet${depth}`,
    block,
    layers: [n, n, n],
    widths: [16, 32, 64],
    stem: 'cifar',
    numClasses: config.numClasses ?? 10,
    inChannels: config.inChannels,
    rng: config.rng,
    blockOptions: {
      shortcut: config.shortcut ?? (block === 'basic' ? 'A' : 'B'),
      plain,
    },
    zeroInitResidual: config.zeroInitResidual,
  });
}

function cifarCard(name: string, family: ModelCard['family'], extra: Partial<ModelCard>): ModelCard {
  return {
    name,
    family,
    description: '',
    params: 0,
    macs: 0,
    inputSize: [32, 32, 3],
    minInputSize: 4,
    mean: CIFAR10_MEAN,
    std: CIFAR10_STD,
    numClasses: 10,
    referenceAccuracy: null,
    citation: HE_2016,
    ...extra,
  };
}

// depth, parameters and multiply-adds (option A, 10 classes, 32×32), CIFAR-10 test error of Table 6.
const RESNETS: Array<[number, number, number, number]> = [
  [20, 269722, 40551040, 8.75],
  [32, 464154, 68862592, 7.51],
  [44, 658586, 97174144, 7.17],
  [56, 853018, 125485696, 6.97],
  [110, 1727962, 252887680, 6.43],
  [1202, 19421274, 2829238912, 7.93],
];

/** Factories of the paper's CIFAR ResNets (option A unless `shortcut: 'B'`). @example `resnet20().numParameters() // 269722` */
export const resnet20 = (o: CifarResNetOptions = {}): ResNet => cifarResNet({ ...o, depth: 20 });
/** ResNet-32 for CIFAR. @example `resnet32().numParameters() // 464154` */
export const resnet32 = (o: CifarResNetOptions = {}): ResNet => cifarResNet({ ...o, depth: 32 });
/** ResNet-44 for CIFAR. @example `resnet44().numParameters() // 658586` */
export const resnet44 = (o: CifarResNetOptions = {}): ResNet => cifarResNet({ ...o, depth: 44 });
/** ResNet-56 for CIFAR. @example `resnet56({ shortcut: 'B' }).numParameters() // 855770` */
export const resnet56 = (o: CifarResNetOptions = {}): ResNet => cifarResNet({ ...o, depth: 56 });
/** ResNet-110 for CIFAR. @example `resnet110().numParameters() // 1727962` */
export const resnet110 = (o: CifarResNetOptions = {}): ResNet => cifarResNet({ ...o, depth: 110 });
/** ResNet-1202 for CIFAR. @example `resnet1202().numParameters() // 19421274` */
export const resnet1202 = (o: CifarResNetOptions = {}): ResNet => cifarResNet({ ...o, depth: 1202 });

for (const [depth, params, macs, err] of RESNETS) {
  const name = `resnet${depth}`;
  registerModel(
    name,
    (o) => cifarResNet({ ...o, depth }),
    cifarCard(name, 'cifar_resnet', {
      description: `ResNet-${depth} for CIFAR (6n+2, n=${(depth - 2) / 6}), option A shortcuts; 'B' selectable`,
      params,
      macs,
      referenceAccuracy: { top1Error: err, dataset: 'CIFAR-10 test', source: 'He et al. 2016, Table 6' },
      defaults: { shortcut: 'A' },
    }),
    { accepts: ['shortcut', 'zeroInitResidual'] },
  );
}

/** Plain (shortcut-free) counterpart of a CIFAR ResNet, He et al. Fig. 6. @example `plain20().numParameters() // 269722` */
export const plain20 = (o: Omit<CifarResNetOptions, 'shortcut'> = {}): ResNet => cifarResNet({ ...o, depth: 20, plain: true });

for (const [depth, params, macs] of RESNETS.slice(0, 5)) {
  const name = `plain${depth}`;
  registerModel(
    name,
    (o) => cifarResNet({ ...o, depth, plain: true }),
    cifarCard(name, 'cifar_plain', {
      description: `Plain ${depth}-layer CIFAR net: ResNet-${depth} without shortcuts (He et al. Fig. 6)`,
      params,
      macs,
      // The paper shows plain nets only as training curves (Fig. 6), with no test-error table.
      referenceAccuracy: null,
    }),
  );
}

registerModel(
  'cifar_resnet',
  (o) => cifarResNet({ ...o, depth: o.depth ?? 164 }),
  cifarCard('cifar_resnet', 'cifar_bottleneck', {
    description:
      'CIFAR ResNet of any depth: {depth, block: "basic"} (6n+2, option A) or {depth, block: "bottleneck"} ' +
      '(9n+2, projection shortcuts); defaults to the bottleneck ResNet-164',
    params: 1704154,
    macs: 247646720,
    referenceAccuracy: {
      top1Error: 5.93,
      dataset: 'CIFAR-10 test',
      source: 'He et al. 2016b, Table 3 (ResNet-164, original post-activation unit)',
    },
    citation: `${HE_2016}; ${HE_2016B}`,
    defaults: { depth: 164, block: 'bottleneck' },
  }),
  { accepts: ['depth', 'block', 'shortcut', 'zeroInitResidual'] },
);
