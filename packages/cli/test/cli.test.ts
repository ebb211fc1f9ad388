import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listModels, getModelCard } from '@residual/zoo';
import { runCli } from './run-cli';

describe('residual (built binary)', () => {
  it('models --json lists every registered model with params, mult-adds and reference accuracy', () => {
    const r = runCli(['models', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ name: string; params: number; macs: number; top1?: number }>;
    expect(rows.map((m) => m.name)).toEqual(listModels());
    for (const row of rows) {
      const card = getModelCard(row.name);
      expect(row.params).toBe(card.params);
      expect(row.macs).toBe(card.macs);
    }
    // He et al. Table 6: ResNet-20 (option A) has 0.27M parameters (269,722 counted by torch) and 8.75% error.
    const r20 = rows.find((m) => m.name === 'resnet20')!;
    expect(r20.params).toBe(269722);
    expect(r20.top1).toBeCloseTo(91.25, 2);
  });

  it('models prints a table', () => {
    const r = runCli(['models']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^model\s+params\s+mult-adds/);
    expect(r.stdout).toMatch(/resnet50\s+25\.56M\s+4\.09G\s+224x224/);
  });

  it('has --help for every command and suggests close command names', () => {
    for (const c of ['models', 'predict', 'train', 'eval', 'datasets', 'recipes', 'bench']) {
      const r = runCli([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage:[\\s\\S]*residual ${c}`));
    }
    const r = runCli(['predcit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'predcit'; did you mean predict/);
    const top = runCli(['--help']);
    expect(top.stdout).toMatch(/Commands:/);
  });

  it('bench delegates to @residual/bench, passing the options after --', () => {
    const r = runCli(['bench', '--', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: residual-bench/);
  });

  it('recipes validate reports each bad field with the file name and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'residual-recipes-'));
    try {
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ name: 'bad', description: 'x', model: { name: 'resnet20' }, data: { dataset: 'cifar10', train: [], test: [] }, batchSize: 0, optimizer: { name: 'adam', lr: 0.1 }, stop: { epochs: 1 } }));
      const r = runCli(['recipes', 'validate', bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${bad}: invalid recipe`);
      expect(r.stderr).toMatch(/field 'batchSize': expected an integer ≥ 1, got 0/);
      expect(r.stderr).toMatch(/field 'optimizer\.name': expected one of sgd, got "adam"/);
      const ok = runCli(['recipes', 'validate', 'cifar10-resnet-vs-plain']);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/ok \(12 runs\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  (existsSync('/usr/share/datasets/fashion-mnist') ? it : it.skip)('datasets list finds Debian\'s Fashion-MNIST', () => {
    const r = runCli(['datasets', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fashion-mnist\s+found \(10000 test images\)/);
  });
});
