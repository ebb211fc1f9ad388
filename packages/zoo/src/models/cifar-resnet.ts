// CIFAR networks of He et al. (2016), §4.2: 3×3 stem, three stages of widths 16/32/64 on 32×32,
// 16×16 and 8×8 maps, global average pooling and a 10-way fully connected layer; their plain
// (shortcut-free) twins of Fig. 6; and the bottleneck 9n+2 nets of He et al. 2016b.
import { registerModel, type ModelCard, type ModelFactory, type ModelOptions } from '../registry';
import { ResNet } from './resnet';
import { CIFAR10_MEAN, CIFAR10_STD, HE_2016, HE_2016B } from './common';

const CIFAR_OPTIONS = ['shortcut', 'zeroInitResidual'] as const;
/** Options of the paper's CIFAR ResNets (`resnet20` … `resnet1202`). */
export type CifarResNetOptions = ModelOptions<typeof CIFAR_OPTIONS>;

/** Configuration of {@link CifarResNet}: any depth, basic (6n+2) or bottleneck (9n+2) units. */
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
 * import { CifarResNet } from '@residual/zoo';
 * new CifarResNet({ depth: 47, block: 'bottleneck' }).numParameters(); // 498586
 * new CifarResNet({ depth: 56, plain: true }).numParameters(); // 853018
 * ```
 */
export class CifarResNet extends ResNet {
  constructor(config: CifarResNetConfig) {
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
    super({
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
}

function cifarCard(card: Pick<ModelCard, 'name' | 'family' | 'description' | 'params' | 'macs'> & Partial<ModelCard>): ModelCard {
  return {
    inputSize: [32, 32, 3],
    minInputSize: 4,
    mean: CIFAR10_MEAN,
    std: CIFAR10_STD,
    numClasses: 10,
    referenceAccuracy: null,
    citation: HE_2016,
    ...card,
  };
}

/** The paper's ResNet-`depth` (option A shortcuts unless `shortcut: 'B'`), with its Table 6 error. */
function cifarResnet(depth: number, params: number, macs: number, err: number): ModelFactory<typeof CIFAR_OPTIONS, CifarResNet> {
  return registerModel({
    card: cifarCard({
      name: `resnet${depth}`,
      family: 'cifar_resnet',
      description: `ResNet-${depth} for CIFAR (6n+2, n=${(depth - 2) / 6}), option A shortcuts; 'B' selectable`,
      params,
      macs,
      referenceAccuracy: { top1Error: err, dataset: 'CIFAR-10 test', source: 'He et al. 2016, Table 6' },
      defaults: { shortcut: 'A' },
    }),
    accepts: CIFAR_OPTIONS,
    build: (o) => new CifarResNet({ ...o, depth }),
  });
}

// Parameters and multiply-adds at option A, 10 classes, 32×32; CIFAR-10 test error of Table 6.
/** ResNet-20 for CIFAR. @example `resnet20().numParameters() // 269722` */
export const resnet20 = cifarResnet(20, 269722, 40551040, 8.75);
/** ResNet-32 for CIFAR. @example `resnet32().numParameters() // 464154` */
export const resnet32 = cifarResnet(32, 464154, 68862592, 7.51);
/** ResNet-44 for CIFAR. @example `resnet44().numParameters() // 658586` */
export const resnet44 = cifarResnet(44, 658586, 97174144, 7.17);
/** ResNet-56 for CIFAR. @example `resnet56({ shortcut: 'B' }).numParameters() // 855770` */
export const resnet56 = cifarResnet(56, 853018, 125485696, 6.97);
/** ResNet-110 for CIFAR. @example `resnet110().numParameters() // 1727962` */
export const resnet110 = cifarResnet(110, 1727962, 252887680, 6.43);
/** ResNet-1202 for CIFAR. @example `resnet1202().numParameters() // 19421274` */
export const resnet1202 = cifarResnet(1202, 19421274, 2829238912, 7.93);

/** The plain (shortcut-free) twin of ResNet-`depth`, He et al. Fig. 6. */
function plain(depth: number, params: number, macs: number): ModelFactory<readonly [], CifarResNet> {
  return registerModel({
    card: cifarCard({
      name: `plain${depth}`,
      family: 'cifar_plain',
      description: `Plain ${depth}-layer CIFAR net: ResNet-${depth} without shortcuts (He et al. Fig. 6)`,
      params,
      macs,
      // The paper shows plain nets only as training curves (Fig. 6), with no test-error table.
      referenceAccuracy: null,
    }),
    build: (o) => new CifarResNet({ ...o, depth, plain: true }),
  });
}

/** Plain 20-layer net. @example `plain20().numParameters() // 269722` */
export const plain20 = plain(20, 269722, 40551040);
/** Plain 32-layer net. @example `plain32().numParameters() // 464154` */
export const plain32 = plain(32, 464154, 68862592);
/** Plain 44-layer net. @example `plain44().numParameters() // 658586` */
export const plain44 = plain(44, 658586, 97174144);
/** Plain 56-layer net. @example `plain56().numParameters() // 853018` */
export const plain56 = plain(56, 853018, 125485696);
/** Plain 110-layer net. @example `plain110().numParameters() // 1727962` */
export const plain110 = plain(110, 1727962, 252887680);

/**
 * A CIFAR ResNet of any depth by options: `{ depth, block: 'basic' }` (6n+2, option A) or
 * `{ depth, block: 'bottleneck' }` (9n+2, projection shortcuts); the bottleneck ResNet-164 by default.
 *
 * @example
 * ```ts
 * import { cifar_resnet } from '@residual/zoo';
 * cifar_resnet({ depth: 56, block: 'bottleneck' }).numParameters(); // 591322
 * ```
 */
export const cifar_resnet = registerModel({
  card: cifarCard({
    name: 'cifar_resnet',
    family: 'cifar_bottleneck',
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
  accepts: ['depth', 'block', 'shortcut', 'zeroInitResidual'],
  build: (o) => new CifarResNet({ ...o, depth: o.depth ?? 164 }),
});
