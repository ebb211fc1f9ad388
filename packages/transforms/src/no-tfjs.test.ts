import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The main entry must stay tfjs-free so that worker threads can run the uint8 path cheaply. */
test('only src/tensor.ts imports tfjs or @residual/tensor', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && name !== 'tensor.ts') {
        const src = readFileSync(p, 'utf8');
        if (/from '@tensorflow\/|from '@residual\/tensor'|require\('@tensorflow/.test(src)) offenders.push(p);
      }
    }
  };
  walk(__dirname);
  expect(offenders).toEqual([]);
  expect(readFileSync(join(__dirname, 'index.ts'), 'utf8')).not.toMatch(/tensor'/);
});
