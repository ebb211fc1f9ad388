import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareRunDir } from './out-dir';

describe('prepareRunDir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'residual-out-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a missing or empty folder', () => {
    expect(() => prepareRunDir(join(dir, 'new'), { resume: false, overwrite: false })).not.toThrow();
    expect(() => prepareRunDir(dir, { resume: false, overwrite: false })).not.toThrow();
  });

  it('refuses a folder holding a run unless --resume or --overwrite, naming what is there', () => {
    writeFileSync(join(dir, 'ckpt-000000010.json'), '{}');
    writeFileSync(join(dir, 'ckpt-000000010.safetensors'), '');
    expect(() => prepareRunDir(dir, { resume: false, overwrite: false })).toThrow(/is not empty \(ckpt-000000010\.json.*--resume.*--overwrite/);
    expect(() => prepareRunDir(dir, { resume: true, overwrite: false })).not.toThrow();
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('--overwrite clears a run folder, including temp files of a killed writer', () => {
    for (const f of ['ckpt-000000010.json', 'ckpt-000000010.safetensors', 'best.json', 'model.safetensors', 'history.csv', 'report.md', 'curves.png', 'recipe.json', 'history.jsonl.tmp-1234']) {
      writeFileSync(join(dir, f), 'x');
    }
    prepareRunDir(dir, { resume: false, overwrite: true });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--overwrite never deletes files that are not a run\'s', () => {
    writeFileSync(join(dir, 'ckpt-000000010.json'), '{}');
    writeFileSync(join(dir, 'thesis.tex'), 'years of work');
    mkdirSync(join(dir, 'data'));
    expect(() => prepareRunDir(dir, { resume: false, overwrite: true })).toThrow(/thesis\.tex/);
    expect(existsSync(join(dir, 'thesis.tex'))).toBe(true);
    expect(existsSync(join(dir, 'ckpt-000000010.json'))).toBe(true);
  });

  it('refuses a file given as the folder', () => {
    writeFileSync(join(dir, 'f'), 'x');
    expect(() => prepareRunDir(join(dir, 'f'), { resume: false, overwrite: false })).toThrow(/is a file/);
  });
});
