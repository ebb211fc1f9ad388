/**
 * Where `navigator.gpu` comes from: the page's in a browser, Dawn (the npm package `webgpu`) in Node.
 *
 * tfjs-backend-webgpu reads the WebGPU globals (`GPUBufferUsage`, `GPUMapMode`, …) from `globalThis`
 * and the GPU from `navigator.gpu`, as a page has them. Node has neither, so in Node we load Dawn's
 * bindings lazily (an optional peer: a user who never asks for webgpu never loads a native addon)
 * and provide both.
 */
import { nodeBuiltin } from '@residual/tensor';

/** The subset of `navigator.gpu` this package uses (typed locally: Node's lib has no WebGPU types). */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance'; forceFallbackAdapter?: boolean }): Promise<AdapterLike | null>;
}

/** The subset of `GPUAdapter` this package uses. */
export interface AdapterLike {
  readonly features: ReadonlySet<string>;
  readonly limits: Record<string, number>;
  readonly info?: AdapterInfoLike;
  readonly isFallbackAdapter?: boolean;
  requestDevice(descriptor?: unknown): Promise<DeviceLike>;
}

/** The subset of `GPUAdapterInfo` this package reports. */
export interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

/** The subset of `GPUDevice` this package uses. */
export interface DeviceLike {
  readonly lost: Promise<{ reason: string; message: string }>;
  destroy(): void;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Why Dawn could not be loaded in Node, with what to install; thrown by {@link nodeGpu}. */
export class WebGPUSetupError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'WebGPUSetupError';
  }
}

/** What a Linux machine needs for Dawn, shown whenever no adapter is found there. */
export const LINUX_HELP = [
  'On Linux, Dawn talks to the GPU through Vulkan: it needs libvulkan.so.1 (Debian/Ubuntu: `apt-get install',
  'libvulkan1`) and a Vulkan driver for your GPU (NVIDIA: the proprietary driver, which ships one; AMD/Intel:',
  'Mesa\'s `mesa-vulkan-drivers`). Check with `vulkaninfo --summary` (package vulkan-tools).',
  'To test without a GPU, use the SwiftShader software driver that Debian\'s chromium package ships:',
  '  VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json  (find it with `dpkg -L chromium-common`)',
  'SwiftShader is a software fallback: correct but slow; useBackend(\'auto\') never picks it.',
].join('\n');

const PLATFORM_HELP: Record<string, string> = {
  linux: LINUX_HELP,
  darwin: 'On macOS, Dawn uses Metal, which every Mac since 2012 has; no driver to install.',
  win32: 'On Windows, Dawn uses Direct3D 12: update the GPU driver; Windows 10 1909 or newer is needed.',
};

/** Install and driver advice for this platform. */
export function platformHelp(platform: string = isNode ? process.platform : 'browser'): string {
  if (platform === 'browser') {
    return (
      'This browser exposes no WebGPU (navigator.gpu is missing). Chrome/Edge ≥ 113 have it; Chromium on Linux ' +
      'needs --enable-unsafe-webgpu (and --enable-features=Vulkan); Firefox ≥ 141 and Safari ≥ 26 have it too.'
    );
  }
  return PLATFORM_HELP[platform] ?? `Dawn has no prebuilt binary for ${platform}.`;
}

/** Where Linux distributions install SwiftShader's Vulkan ICD (Debian/Ubuntu's chromium, Fedora's). */
export const SWIFTSHADER_ICD_PATHS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib64/chromium-browser/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
] as const;

/**
 * Node on Linux: make Dawn use SwiftShader, the software Vulkan driver that ships with Chromium, by
 * pointing `VK_ICD_FILENAMES` at it. For tests and CI on machines without a GPU; slow but correct.
 * Call before the webgpu backend starts. Returns the ICD path, or `null` when none is installed
 * (`apt-get install chromium libvulkan1`).
 * @example
 * ```ts
 * import { useSwiftShader } from '@residual/backend-webgpu';
 * import { useBackend } from '@residual/tensor';
 * useSwiftShader();
 * await useBackend('webgpu'); // adapter 'SwiftShader Device (Subzero)', isFallback: true
 * ```
 */
export function useSwiftShader(paths: readonly string[] = SWIFTSHADER_ICD_PATHS): string | null {
  if (!isNode) return null;
  // node:fs is loaded at call time so that browser bundles of this module never see it.
  const { existsSync } = nodeBuiltin('node:fs', 'useSwiftShader');
  const found = paths.find((p) => existsSync(p)) ?? null;
  if (found) process.env.VK_ICD_FILENAMES = found;
  return found;
}

interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

const GPU_KEY = Symbol.for('@residual/backend-webgpu/gpu');
type GlobalWithGpu = typeof globalThis & { [GPU_KEY]?: GpuLike; navigator?: { gpu?: GpuLike } };

declare const __filename: string | undefined;

/**
 * Load Dawn's native addon from the `webgpu` package. We require `dist/<platform>-<arch>/dawn.node`
 * ourselves instead of importing the package's ESM entry, so that CommonJS code (and test runners
 * that transpile to it) load it too. The package is resolved from this file, the main script and
 * the working directory, in that order (an optional peer may sit in any of them).
 */
function loadDawn(): DawnModule {
  const builtin = <K extends 'node:module' | 'node:path'>(id: K) => {
    try {
      return nodeBuiltin(id, '@residual/backend-webgpu');
    } catch (e) {
      throw new WebGPUSetupError((e as Error).message);
    }
  };
  const { createRequire } = builtin('node:module');
  const { dirname, join } = builtin('node:path');
  const bases = [typeof __filename === 'string' ? __filename : undefined, process.argv[1], join(process.cwd(), 'index.js')].filter(
    (b): b is string => !!b,
  );
  let pkgJson: string | undefined;
  let req: NodeRequire | undefined;
  for (const base of bases) {
    try {
      req = createRequire(base);
      pkgJson = req.resolve('webgpu/package.json');
      break;
    } catch {
      // not resolvable from here; try the next base
    }
  }
  if (!pkgJson || !req) {
    throw new WebGPUSetupError("the npm package 'webgpu' (Dawn's Node bindings) is not installed: npm i webgpu@^0.6.2");
  }
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  const addon = join(dirname(pkgJson), 'dist', `${process.platform}-${arch}`, 'dawn.node');
  try {
    return req(addon) as DawnModule;
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    throw new WebGPUSetupError(
      `the npm package 'webgpu' could not load its native binary ${addon}: ${message}\n` +
        (/libvulkan/.test(message) ? LINUX_HELP : platformHelp()),
      err,
    );
  }
}

/**
 * Load Dawn from the `webgpu` package once per process and make it the `navigator.gpu` that
 * tfjs-backend-webgpu reads. `flags` are Dawn toggles (e.g. `['enable-dawn-features=allow_unsafe_apis']`).
 * @example
 * ```ts
 * import { nodeGpu } from '@residual/backend-webgpu';
 * const gpu = await nodeGpu();
 * const adapter = await gpu.requestAdapter();
 * ```
 */
export async function nodeGpu(flags: string[] = []): Promise<GpuLike> {
  const g = globalThis as GlobalWithGpu;
  const cached = g[GPU_KEY];
  if (cached) return cached;
  if (isNode && process.platform === 'linux' && !process.env.XDG_RUNTIME_DIR) {
    // Dawn warns on every start when this is unset; any writable folder will do.
    process.env.XDG_RUNTIME_DIR = '/tmp';
  }
  const dawn = loadDawn();
  // tfjs-backend-webgpu uses GPUBufferUsage, GPUMapMode, GPUShaderStage… as globals, as in a page.
  for (const [key, value] of Object.entries(dawn.globals)) {
    if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
  }
  const gpu = dawn.create(flags);
  g[GPU_KEY] = gpu;
  // Node ≥ 21 has a read-only navigator getter; define our own property either way.
  const nav = (g.navigator ?? {}) as { gpu?: GpuLike };
  if (!nav.gpu) {
    try {
      Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, enumerable: true });
    } catch {
      // navigator objects that refuse new properties: replace navigator below
    }
  }
  if (g.navigator !== nav || nav.gpu !== gpu) {
    Object.defineProperty(globalThis, 'navigator', { value: { ...(g.navigator ?? {}), gpu }, configurable: true, writable: true });
  }
  return gpu;
}

/**
 * The GPU entry point of this runtime: the page's `navigator.gpu` in a browser, Dawn in Node.
 */
export async function getGpu(): Promise<GpuLike> {
  const g = globalThis as GlobalWithGpu;
  if (g[GPU_KEY]) return g[GPU_KEY]!;
  // In Node, always Dawn through nodeGpu(), which also installs the GPU* globals in this realm: Node ≥ 21's
  // navigator is one object shared by every vm context (jest's test files), so a navigator.gpu found
  // there may have been put by another context, whose globals this one lacks.
  if (isNode) return nodeGpu();
  if (g.navigator?.gpu) return g.navigator.gpu;
  throw new WebGPUSetupError(platformHelp('browser'));
}
