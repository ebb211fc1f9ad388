import { fitLine, Progress } from './progress';

const update = { epoch: 0, epochs: 2, step: 5, steps: 10, loss: 0.5, acc1: 0.75, imagesPerSec: 123.4, lr: 0.1 };

describe('Progress', () => {
  it('redraws one line in place on a TTY, with images/s, loss, accuracy and ETA', () => {
    const out: string[] = [];
    const p = new Progress({ stream: { write: (s: string) => out.push(s), isTTY: true, columns: 200 } });
    p.update(update, 65);
    p.update({ ...update, step: 6 }, 50);
    expect(out).toHaveLength(2);
    expect(out[0].startsWith('\r')).toBe(true);
    expect(out[0]).toMatch(/epoch 1\/2 \[=+> +\] 5\/10 123 img\/s loss 0\.5000 acc 75\.00% lr 0\.100 ETA 1:05/);
    p.line('done');
    expect(out[2]).toBe('\r\x1b[K');
    expect(out[3]).toBe('done\n');
  });

  it('prints plain lines (no carriage returns) elsewhere, about ten per epoch', () => {
    const out: string[] = [];
    const p = new Progress({ stream: { write: (s: string) => out.push(s) } });
    for (let step = 1; step <= 10; step++) p.update({ ...update, steps: 100, step: step * 10 - 5 }, 1);
    for (let step = 1; step <= 100; step++) p.update({ ...update, steps: 100, step }, 1);
    expect(out).toHaveLength(10);
    expect(out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(out[0]).toMatch(/^epoch 1\/2 step 10\/100 123 img\/s loss 0\.5000 acc 75\.00%/);
  });
  it('fits 80 columns (and fewer) keeping the step and the ETA', () => {
    const u = { epoch: 11, epochs: 160, step: 231, steps: 391, loss: 0.41234, acc1: 0.8567, imagesPerSec: 1234, lr: 0.1 };
    for (const width of [79, 60, 40]) {
      const line = fitLine(u, '12/160', 3725, width);
      expect(line.length).toBeLessThanOrEqual(width);
      expect(line).toMatch(/ETA 1:02:05$/);
      expect(line).toContain('231/391');
    }
    expect(fitLine(u, '12/160', 3725, 200)).toMatch(/\[.*\] 231\/391 1234 img\/s loss 0\.4123 acc 85\.67% lr 0\.100 ETA/);
  });
});
