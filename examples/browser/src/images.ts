import { tf } from '@residual/tensor';

/** CIFAR-10 class names, the labels of a 10-class ResNet-20. */
export const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const MEAN = [0.4914, 0.4822, 0.4465];
const STD = [0.247, 0.2435, 0.2616];

/** A small generated scene: sky, sea, a sail boat and the sun (no image files needed). */
export function drawScene(c: HTMLCanvasElement): void {
  const g = c.getContext('2d')!;
  const { width: w, height: h } = c;
  const sky = g.createLinearGradient(0, 0, 0, h * 0.6);
  sky.addColorStop(0, '#5b9bd5');
  sky.addColorStop(1, '#cfe6f7');
  g.fillStyle = sky;
  g.fillRect(0, 0, w, h * 0.6);
  g.fillStyle = '#1f4e79';
  g.fillRect(0, h * 0.6, w, h * 0.4);
  g.fillStyle = '#ffd966';
  g.beginPath();
  g.arc(w * 0.8, h * 0.2, w * 0.08, 0, Math.PI * 2);
  g.fill();
  g.fillStyle = '#7f6000';
  g.fillRect(w * 0.3, h * 0.58, w * 0.35, h * 0.07);
  g.fillStyle = '#ffffff';
  g.beginPath();
  g.moveTo(w * 0.47, h * 0.2);
  g.lineTo(w * 0.47, h * 0.56);
  g.lineTo(w * 0.3, h * 0.56);
  g.closePath();
  g.fill();
}

/** Stripes for the toy training task; `k` varies colour and phase. */
export function drawStripes(c: HTMLCanvasElement, dir: 'horizontal' | 'vertical', k: number): void {
  const g = c.getContext('2d')!;
  const hue = (k * 47) % 360;
  g.fillStyle = `hsl(${hue}, 60%, 85%)`;
  g.fillRect(0, 0, c.width, c.height);
  g.fillStyle = `hsl(${(hue + 180) % 360}, 70%, 30%)`;
  const period = 6 + (k % 3) * 2;
  for (let p = (k * 3) % period; p < c.width; p += period) {
    if (dir === 'horizontal') g.fillRect(0, p, c.width, period / 2);
    else g.fillRect(p, 0, period / 2, c.height);
  }
}

/** Canvases → normalised NHWC float batch at 32×32 (resampled by the canvas). */
export function imageBatch(canvases: HTMLCanvasElement[]): import('@residual/tensor').Tensor {
  const n = canvases.length;
  const data = new Float32Array(n * 32 * 32 * 3);
  const tmp = document.createElement('canvas');
  tmp.width = tmp.height = 32;
  const g = tmp.getContext('2d', { willReadFrequently: true })!;
  canvases.forEach((c, i) => {
    g.clearRect(0, 0, 32, 32);
    g.drawImage(c, 0, 0, 32, 32);
    const px = g.getImageData(0, 0, 32, 32).data;
    for (let p = 0; p < 32 * 32; p++) {
      for (let ch = 0; ch < 3; ch++) data[(i * 1024 + p) * 3 + ch] = (px[p * 4 + ch]! / 255 - MEAN[ch]!) / STD[ch]!;
    }
  });
  return tf.tensor4d(data, [n, 32, 32, 3]);
}
