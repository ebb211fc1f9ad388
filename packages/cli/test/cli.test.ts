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
});
