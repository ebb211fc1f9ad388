// Pre-activation residual networks (He et al. 2016b): the PreActResNet built from nn's
// pre-activation blocks, and the pre-activation ResNet-18 in the pytorch-cifar layout (3×3 stem, four
// stages 64–512) with the final BN-ReLU before pooling that the paper prescribes.
import { globalRng, tf, type Rng } from '@residual/tensor';
import { BatchNorm2d, Conv2d, Linear, Module, PreActBasicBlock, Sequential, WideBasicBlock } from '@residual/nn';
import { registerModel, type ModelOptions } from '../registry';
import { CIFAR10_MEAN, CIFAR10_STD, HE_2016B, PYTORCH_CIFAR, checkInput } from './common';

/** Configuration of {@link PreActResNet}. */
export interface PreActResNetConfig {
  name: string;
  /** Units per stage. */
  layers: number[];
  /** Channels per stage. */
  widths: number[];
  /** Channels of the 3×3 stem. */
  stemWidth: number;
  numClasses: number;
  inChannels?: number;
  /** Dropout between the two convolutions of every unit ({@link WideBasicBlock}); 0 for none. */
  dropRate?: number;
  rng?: Rng;
}

/**
 * Pre-activation residual network with a 3×3 stem (He et al. 2016b; wide ResNets): `conv1`,
 * `layer1`…, then `bn_final`-ReLU, global average pooling and `fc`.
 *
 * @example
 * ```ts
 * import { tf } from '@residual/tensor';
 * import { PreActResNet } from '@residual/zoo';
 * const net = new PreActResNet({ name: 'preact_resnet10', layers: [1, 1, 1, 1],
 *   widths: [64, 128, 256, 512], stemWidth: 64, numClasses: 10 });
 * net.forward(tf.zeros([1, 32, 32, 3])).shape; // [1, 10]
 * ```
 */
export class PreActResNet extends Module {
  readonly conv1: Conv2d;
  readonly stages: Sequential[] = [];
  readonly bnFinal: BatchNorm2d;
  readonly fc: Linear;
  readonly inChannels: number;

  constructor(readonly config: PreActResNetConfig) {
    super();
    const rng = config.rng ?? globalRng();
    this.inChannels = config.inChannels ?? 3;
    this.conv1 = this.registerModule(
      'conv1',
      new Conv2d(this.inChannels, config.stemWidth, 3, { padding: 1, bias: false, rng }),
    );
    let inplanes = config.stemWidth;
    config.layers.forEach((count, i) => {
      const units: Module[] = [];
      for (let b = 0; b < count; b++) {
        const stride = b === 0 && i > 0 ? 2 : 1;
        units.push(
          config.dropRate
            ? new WideBasicBlock(inplanes, config.widths[i], config.dropRate, { stride, rng })
            : new PreActBasicBlock(inplanes, config.widths[i], { stride, rng }),
        );
        inplanes = config.widths[i];
      }
      this.stages.push(this.registerModule(`layer${i + 1}`, new Sequential(...units)));
    });
    this.bnFinal = this.registerModule('bn_final', new BatchNorm2d(inplanes));
    this.fc = this.registerModule('fc', new Linear(inplanes, config.numClasses, { rng }));
  }

  /** Features after the final BN-ReLU, before pooling. */
  features(x: tf.Tensor): tf.Tensor {
    checkInput(this.config.name, x, this.inChannels);
    return tf.tidy(() => {
      let y = this.conv1.forward(x);
      for (const s of this.stages) y = s.forward(y);
      return this.bnFinal.forwardRelu(y);
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc.forward(tf.mean(this.features(x), [1, 2])));
  }
}

/** Options of {@link preact_resnet18}. */
export type PreActResNetOptions = ModelOptions;

/**
 * Pre-activation ResNet-18 for 32×32 inputs.
 *
 * @example
 * ```ts
 * import { preact_resnet18 } from '@residual/zoo';
 * preact_resnet18().numParameters(); // 11172170
 * ```
 */
export const preact_resnet18 = registerModel({
  card: {
    name: 'preact_resnet18',
    family: 'preact_resnet',
    description: 'Pre-activation ResNet-18 for CIFAR (3×3 stem, BN-ReLU-conv units, final BN-ReLU)',
    params: 11172170,
    macs: 555422720,
    inputSize: [32, 32, 3],
    minInputSize: 8,
    mean: CIFAR10_MEAN,
    std: CIFAR10_STD,
    numClasses: 10,
    referenceAccuracy: {
      top1: 95.11,
      dataset: 'CIFAR-10 test',
      source: 'pytorch-cifar README (K. Liu; its variant omits the final BN-ReLU)',
    },
    citation: `${HE_2016B}; ${PYTORCH_CIFAR}`,
  },
  build: (o) =>
    new PreActResNet({
      name: 'preact_resnet18',
      layers: [2, 2, 2, 2],
      widths: [64, 128, 256, 512],
      stemWidth: 64,
      numClasses: o.numClasses ?? 10,
      inChannels: o.inChannels,
      rng: o.rng,
    }),
});
