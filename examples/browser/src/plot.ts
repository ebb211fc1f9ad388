/** Draws the loss curve (step on x, loss on y) on a canvas. */
export function plotLosses(c: HTMLCanvasElement, losses: number[]): void {
  const g = c.getContext('2d')!;
  const { width: w, height: h } = c;
  const pad = 28;
  g.clearRect(0, 0, w, h);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, w, h);
  g.strokeStyle = '#999';
  g.strokeRect(pad, 8, w - pad - 8, h - pad - 8);
  const max = Math.max(...losses) * 1.05;
  const n = Math.max(losses.length - 1, 1);
  const xy = (i: number, l: number): [number, number] => [pad + (i / n) * (w - pad - 8), 8 + (1 - l / max) * (h - pad - 8)];
  g.strokeStyle = '#c0392b';
  g.lineWidth = 2;
  g.beginPath();
  losses.forEach((l, i) => (i ? g.lineTo(...xy(i, l)) : g.moveTo(...xy(i, l))));
  g.stroke();
  g.fillStyle = '#333';
  g.font = '11px sans-serif';
  g.fillText(max.toFixed(2), 2, 16);
  g.fillText('0', 14, h - pad);
  g.fillText(`step ${losses.length}`, w - 60, h - 8);
}
