import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { plotHistory } from './plot-history';
import { niceTicks } from './svg';
import type { EpochRecord } from '../observe/history';

const history: EpochRecord[] = Array.from({ length: 12 }, (_, i) => ({
  epoch: i + 1,
  iteration: (i + 1) * 100,
  lr: i < 6 ? 0.1 : i < 9 ? 0.01 : 0.001,
  train_loss: 2 / (i + 1),
  train_acc1: 1 - 0.5 / (i + 1),
  train_acc5: 1,
  val_loss: 2.2 / (i + 1) + 0.05,
  val_acc1: 1 - 0.6 / (i + 1),
  val_acc5: 1,
  seconds: 1,
  images_per_sec: 100,
}));

describe('plotHistory', () => {
  it('draws loss, top-1 error and lr, train vs val, to SVG and PNG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'residual-plot-'));
    try {
      const r = await plotHistory(history, { out: join(dir, 'curves.svg'), title: 'ResNet-20 <test>' });
      expect(r.files).toEqual([join(dir, 'curves.svg'), join(dir, 'curves.png')]);
      expect(existsSync(join(dir, 'curves.png'))).toBe(true);
      // 5 curves (train/val loss, train/val error, lr), each with its legend entry.
      expect(r.svg.match(/<path /g)).toHaveLength(5);
      for (const t of ['Loss', 'Top-1 error', 'Learning rate', 'ResNet-20 &lt;test&gt;', 'error (%)']) expect(r.svg).toContain(t);
      // Log axis of the lr panel shows the decades the schedule went through.
      for (const t of ['>0.1<', '>0.01<', '>0.001<']) expect(r.svg).toContain(t);
      const img = sharp(r.png as Buffer);
      const meta = await img.metadata();
      expect([meta.width, meta.height, meta.format]).toEqual([1080, 290, 'png']);
      const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
      let blue = 0;
      let red = 0;
      for (let i = 0; i < data.length; i += info.channels) {
        if (data[i] < 90 && data[i + 2] > 150) blue++;
        if (data[i] > 180 && data[i + 1] < 80) red++;
      }
      expect(blue).toBeGreaterThan(100);
      expect(red).toBeGreaterThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('picks round ticks', () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.13, 0.9)).toEqual([0.2, 0.4, 0.6, 0.8]);
  });
});
