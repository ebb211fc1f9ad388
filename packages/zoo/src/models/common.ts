// Constants and checks shared by the model families.
import type { tf } from '@residual/tensor';

/** CIFAR-10 training-set per-channel mean and standard deviation (0..1 scale). */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465];
export const CIFAR10_STD = [0.247, 0.2435, 0.2616];
/** ImageNet mean and standard deviation, as torchvision's weights expect. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];

export const HE_2016 =
  'K. He, X. Zhang, S. Ren, J. Sun. Deep Residual Learning for Image Recognition. CVPR 2016. arXiv:1512.03385';
export const HE_2016B =
  'K. He, X. Zhang, S. Ren, J. Sun. Identity Mappings in Deep Residual Networks. ECCV 2016. arXiv:1603.05027';
export const ZAGORUYKO_2016 = 'S. Zagoruyko, N. Komodakis. Wide Residual Networks. BMVC 2016. arXiv:1605.07146';
export const XIE_2017 =
  'S. Xie, R. Girshick, P. Dollár, Z. Tu, K. He. Aggregated Residual Transformations for Deep Neural Networks. ' +
  'CVPR 2017. arXiv:1611.05431';
export const PYTORCH_CIFAR = 'K. Liu. pytorch-cifar, https://github.com/kuangliu/pytorch-cifar';

/** Throws unless `x` is an NHWC batch with `inChannels` channels, naming the model. */
export function checkInput(name: string, x: tf.Tensor, inChannels: number): void {
  if (x.rank !== 4 || x.shape[3] !== inChannels) {
    throw new Error(`${name}: expected an NHWC input [N, H, W, ${inChannels}], got [${x.shape.join(', ')}]`);
  }
}
