import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import madge from 'madge';

const REPO = resolve(__dirname, '../../..');
const WORKSPACES = ['packages', 'examples', 'tests'].flatMap((d) =>
  readdirSync(join(REPO, d))
    .map((n) => join(REPO, d, n))
    .filter((p) => existsSync(join(p, 'package.json'))),
);
const PACKAGES = WORKSPACES.filter((p) => p.includes(`${join(REPO, 'packages')}/`));

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

describe('import cycles', () => {
  it('none between modules of any package (type-only and lazy imports count)', async () => {
    const result = await madge(
      PACKAGES.map((p) => join(p, 'src')),
      { fileExtensions: ['ts'], tsConfig: join(REPO, 'tsconfig.base.json'), baseDir: REPO },
    );
    expect(result.circular()).toEqual([]);
    // madge really read the sources: every package's modules are in its graph.
    expect(Object.keys(result.obj()).length).toBeGreaterThan(200);
  });

  it('none between packages (dependencies and devDependencies on @residual/*)', () => {
    const deps = new Map<string, string[]>();
    for (const dir of PACKAGES) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      deps.set(pkg.name, Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((d) => d.startsWith('@residual/')));
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (name: string, path: string[]) => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'open') return void cycles.push([...path.slice(path.indexOf(name)), name].join(' → '));
      state.set(name, 'open');
      for (const d of deps.get(name) ?? []) visit(d, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of deps.keys()) visit(name, []);
    expect(cycles).toEqual([]);
    expect(deps.size).toBeGreaterThanOrEqual(12);
  });
});

describe('type checking', () => {
  // `npm run typecheck` runs each workspace's `typecheck` script: the tsconfigs it names must cover
  // every TypeScript file of the workspace, tests included (jest only strips types).
  it.each(WORKSPACES.map((w) => [relative(REPO, w), w] as const))('%s: every .ts file is in a typecheck config', (_, dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    const files = ['src', 'test'].flatMap((d) => walk(join(dir, d)));
    if (files.length === 0) return;
    const script = pkg.scripts?.typecheck;
    expect(script).toBeDefined();
    const configs = [...script!.matchAll(/tsc -p (\S+)/g)].map((m) => join(dir, m[1]!));
    expect(configs.length).toBeGreaterThan(0);
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const listed = new Set(
      configs.flatMap((c) =>
        execFileSync(process.execPath, [tsc, '-p', c, '--listFilesOnly'], { encoding: 'utf8', maxBuffer: 64 << 20 })
          .split('\n')
          .map((l) => resolve(l.trim())),
      ),
    );
    expect(files.filter((f) => !listed.has(f)).map((f) => relative(REPO, f))).toEqual([]);
  });
});

describe('the Python fixture generators (tools/)', () => {
  const py: string[] = [];
  const walkPy = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (name === '__pycache__') continue;
      if (statSync(p).isDirectory()) walkPy(p);
      else if (name.endsWith('.py')) py.push(p);
    }
  };
  walkPy(join(REPO, 'tools'));
  const text = (p: string) => readFileSync(p, 'utf8');

  it('import what they share from tools/common, with no sys.path patching', () => {
    expect(py.length).toBeGreaterThan(20);
    expect(py.filter((p) => /sys\.path\.(insert|append)/.test(text(p))).map((p) => relative(REPO, p))).toEqual([]);
  });

  it('define the weight formula, the option-A shortcut and the MAC counter once, in tools/common', () => {
    const defining = (re: RegExp) => py.filter((p) => re.test(text(p))).map((p) => relative(REPO, p));
    expect(defining(/^def uniform\(/m)).toEqual(['tools/common/formula.py']);
    expect(defining(/^def formula_tensor\(/m)).toEqual(['tools/common/formula.py']);
    expect(defining(/^class (OptionA|PadShortcut)\b/m)).toEqual(['tools/common/reference_models.py']);
    expect(defining(/register_forward_hook\(/)).toEqual(['tools/common/macs.py']);
    expect(defining(/^class CifarResNet\b/m)).toEqual(['tools/common/reference_models.py']);
  });

  it('say how to run them: as modules from the repository root', () => {
    const stale = py.filter((p) => /python3 tools\//.test(text(p))).map((p) => relative(REPO, p));
    expect(stale).toEqual([]);
  });
});

describe('file names and test placement (docs/architecture.md, repository conventions)', () => {
  const files = WORKSPACES.flatMap((w) => walk(w)).map((p) => relative(REPO, p));

  it('TypeScript files are kebab-case, except kernels named after their tfjs kernel', () => {
    const bad = files.filter((p) => {
      const base = p.split('/').pop()!.replace(/\.d\.ts$|\.tsx?$/, '');
      if (/\/kernels\/[A-Z][A-Za-z0-9]*$/.test(p.replace(/\.tsx?$/, ''))) return false;
      return !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*$/.test(base);
    });
    expect(bad).toEqual([]);
  });

  it("a package's test/ folder reaches into src/ only through its entry, its testing/ helpers or type-only imports", () => {
    const bad: string[] = [];
    for (const p of files.filter((f) => /(^|\/)test\/[^/]+\.ts$/.test(f))) {
      for (const m of readFileSync(join(REPO, p), 'utf8').matchAll(/^import\s+(type\s+)?[^'"]*from\s+'(\.\.\/src\/[^']+)'/gm)) {
        const [, typeOnly, spec] = m;
        if (typeOnly || spec === '../src/index' || spec.startsWith('../src/testing/')) continue;
        bad.push(`${p}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
