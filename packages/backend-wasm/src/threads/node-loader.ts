// Starts tfjs-backend-wasm's threaded SIMD build under Node worker_threads.
//
// Stock tfjs-backend-wasm 4.22 never does this: its WASM_HAS_MULTITHREAD_SUPPORT flag is false in Node,
// and its init() hands emscripten a Blob worker and a Blob main script, which worker_threads cannot
// load. Even with both materialised as files, the pool stays at one thread on small machines because
// the C++ side caps the count at emscripten_num_logical_cores() / 2 (see THREADS.md). We load the
// same emscripten factory ourselves with file paths, and answer that one import truthfully for the
// count asked for.
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nodeBuiltin } from '@residual/tensor';
import { backendMemory, setNativePool } from '../kernels/native/runtime';
import { createNativePool } from './native-pool';

/** What the threaded emscripten module exposes beyond the single-threaded one. */
interface PThreadWorker {
  ref?(): void;
  unref?(): void;
  terminate(): unknown;
}
interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: PThreadWorker[]; unusedWorkers: PThreadWorker[] };
  tfjs?: Record<string, unknown>;
}
type Factory = (config: Record<string, unknown>) => Promise<ThreadedModule>;

interface NodeApi {
  fs: typeof import('node:fs');
  os: typeof import('node:os');
  path: typeof import('node:path');
  crypto: typeof import('node:crypto');
  createRequire: (typeof import('node:module'))['createRequire'];
}

/** Files of the threaded build, found next to the installed tfjs-backend-wasm. */
export interface ThreadedFiles {
  /** The emscripten factory script each pthread worker evaluates again. */
  mainScript: string;
  /** The `.wasm` binary with threads and SIMD. */
  wasm: string;
  /** The pthread worker script, written out from the string tfjs ships it as. */
  worker: string;
  /** tfjs-backend-wasm's version. */
  version: string;
}

// Built-ins are fetched at call time (no import statement), so browser bundles never resolve them.
async function nodeApi(): Promise<NodeApi> {
  const get = <K extends Parameters<typeof nodeBuiltin>[0]>(id: K) => nodeBuiltin(id, 'wasm threads in Node');
  return {
    fs: get('node:fs'),
    os: get('node:os'),
    path: get('node:path'),
    crypto: get('node:crypto'),
    createRequire: get('node:module').createRequire,
  };
}

// Where tfjs-backend-wasm is installed. `__filename`/`import.meta.url` are avoided on purpose: tsup's
// ESM shim for them would run at import time in browsers too. The package is already loaded (we import
// BackendWasm), so Node's module cache names its file; resolving from the working directory is the fallback.
function tfjsWasmPackageJson(api: NodeApi): string {
  const probe = api.createRequire(api.path.join(process.cwd(), 'noop.js'));
  const loaded = Object.keys(probe.cache).find((k) => /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]dist[\\/][^\\/]+\.js$/.test(k));
  if (loaded) return api.path.join(api.path.dirname(loaded), '..', 'package.json');
  try {
    return probe.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  } catch {
    throw new Error('@residual/backend-wasm threads: cannot locate @tensorflow/tfjs-backend-wasm (is it installed?)');
  }
}

/**
 * Locate the threaded build and write its worker script to a file (once per content hash), since
 * worker_threads needs a path where browsers take a Blob URL.
 */
export async function materializeThreadedFiles(): Promise<ThreadedFiles> {
  const api = await nodeApi();
  const { fs, os, path, crypto, createRequire } = api;
  const pkgJson = tfjsWasmPackageJson(api);
  const req = createRequire(pkgJson);
  const dir = path.join(path.dirname(pkgJson), 'wasm-out');
  const version = (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const mainScript = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  const wasm = path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm');
  const workerModule = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  for (const f of [mainScript, wasm, workerModule]) {
    if (!fs.existsSync(f)) {
      throw new Error(`@residual/backend-wasm threads: ${f} is missing from @tensorflow/tfjs-backend-wasm ${version}`);
    }
  }
  // tfjs ships the worker as a template string; its '\n' escapes became real newlines inside string
  // literals, which tfjs turns back into escapes before making its Blob. We do the same for the file.
  const contents = (req(workerModule) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = crypto.createHash('sha256').update(contents).digest('hex').slice(0, 16);
  const worker = path.join(os.tmpdir(), `residual-tfjs-wasm-${version}-${hash}.worker.js`);
  if (!fs.existsSync(worker) || fs.readFileSync(worker, 'utf8') !== contents) {
    // Write then rename: parallel processes (jest workers) never see a half-written script.
    const tmp = `${worker}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, contents);
    fs.renameSync(tmp, worker);
  }
  return { mainScript, wasm, worker, version };
}

/**
 * Instantiate the threaded module with `threads` threads and wrap it in tfjs's own BackendWasm, so
 * every kernel registered for 'wasm' runs on it unchanged.
 */
export async function createThreadedBackend(threads: number): Promise<BackendWasm> {
  const { fs, os, createRequire } = await nodeApi();
  const files = await materializeThreadedFiles();
  const req = createRequire(files.mainScript);
  const factory = req(files.mainScript) as Factory;
  const binary = fs.readFileSync(files.wasm);
  const cores = Math.max(threads, os.cpus().length);
  // A failed instantiation inside instantiateWasm would otherwise surface as an unhandled rejection.
  let fail: (e: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const module = await Promise.race([
    factory({
      mainScriptUrlOrBlob: files.mainScript,
      locateFile: (p: string, prefix: string) =>
        p.endsWith('.worker.js') ? files.worker : p.endsWith('.wasm') ? files.wasm : prefix + p,
      // The C++ init caps threads at logical_cores / 2 (it assumes hyper-threading); on a 2-vCPU
      // machine that is 1, whatever setThreadsCount asked. Report twice the cores so the cap is the
      // real core count (or the count asked, if larger).
      instantiateWasm(
        info: { env: Record<string, unknown> },
        receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
      ) {
        info.env.emscripten_num_logical_cores = () => 2 * cores;
        WebAssembly.instantiate(binary, info as unknown as WebAssembly.Imports).then(
          (r) => receive(r.instance, r.module),
          (e) => fail(new Error(`@residual/backend-wasm threads: cannot instantiate ${files.wasm}: ${e}`)),
        );
        return {};
      },
    }),
    failed,
  ]);
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  // The constructor creates the XNNPACK pthreadpool with the count given to setThreadsCount.
  const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  // Pool threads wait forever for work; unref'd, they no longer keep the process alive.
  for (const w of module.PThread.runningWorkers) w.unref?.();
  // emscripten pre-starts 8 workers; those the pool did not take only hold memory.
  for (const w of module.PThread.unusedWorkers.splice(0)) void w.terminate();
  // Our own kernels (kernels/native) get threads of their own on the same shared heap.
  setNativePool(backend, await createNativePool(backendMemory(backend), threads));
  return backend;
}
