// Bundles the demo with esbuild into dist/: app.js, index.html and tfjs's .wasm binaries.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
mkdirSync(out, { recursive: true });

// The packages are isomorphic, but some hold Node-only paths (checkpoint files, worker threads) that
// import Node built-ins. A page never runs them; they resolve to stubs that throw if ever called.
const STUB_NAMES = [
  'existsSync', 'mkdirSync', 'readdirSync', 'readFileSync', 'writeFileSync', 'statSync', 'unlinkSync', 'closeSync',
  'fsyncSync', 'openSync', 'renameSync', 'writeSync', 'rmSync', 'createReadStream', 'createWriteStream', 'promises',
  'basename', 'dirname', 'join', 'resolve', 'relative', 'extname', 'sep', 'fileURLToPath', 'pathToFileURL',
  'createRequire', 'cpus', 'availableParallelism', 'tmpdir', 'homedir', 'createHash', 'randomBytes', 'Worker',
  'isMainThread', 'parentPort', 'workerData', 'createGunzip', 'gunzipSync', 'request', 'get',
  'EventEmitter', 'once', 'on', 'spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork',
  'isatty', 'WriteStream', 'ReadStream', 'createInterface', 'performance', 'inspect', 'promisify', 'Readable',
  'Writable', 'Transform', 'pipeline', 'finished', 'setTimeout', 'MessageChannel',
];
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const nodeBuiltinStubs = {
  name: 'node-builtin-stubs',
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => (BUILTINS.has(args.path) ? { path: args.path, namespace: 'node-stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => ({
      contents: `
function stub() { throw new Error('${args.path} is not available in the browser'); }
// Path and URL helpers are evaluated at load time by bundled module shims (__dirname), so they work.
const impl = {
  fileURLToPath: (u) => String(u),
  pathToFileURL: (p) => new URL(p, location.href),
  dirname: (p) => String(p).replace(/\\/[^/]*$/, '') || '/',
  basename: (p) => String(p).replace(/^.*\\//, ''),
  join: (...a) => a.join('/'),
  resolve: (...a) => a.join('/'),
  extname: (p) => (/\\.[^./]*$/.exec(String(p)) || [''])[0],
  sep: '/',
};
${STUB_NAMES.map((n) => `export const ${n} = impl.${n} ?? stub;`).join('\n')}
export default new Proxy(impl, { get: (t, k) => t[k] ?? stub });
`,
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  // This folder's tsconfig has no `paths`: the bundle takes the built packages (dist/), as users get them.
  tsconfig: join(here, 'tsconfig.json'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outfile: join(out, 'app.js'),
  sourcemap: true,
  minify: true,
  external: ['@residual/backend-node', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  plugins: [nodeBuiltinStubs],
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});

copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
const require = createRequire(import.meta.url);
const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
for (const f of readdirSync(wasmDir)) if (f.endsWith('.wasm')) copyFileSync(join(wasmDir, f), join(out, f));
console.log(`built ${out}`);
