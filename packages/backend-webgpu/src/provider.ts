import { tf, BackendUnavailableError, type BackendProvider, type AdapterDescription } from '@residual/tensor';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { getGpu, nodeGpu, platformHelp, WebGPUSetupError, type AdapterLike, type DeviceLike } from './gpu';

/** How {@link webgpuBackendProvider} picks a GPU. */
export interface WebGPUOptions {
  /** Which GPU to ask for when a machine has several (as `requestAdapter`'s option). Default `'high-performance'`. */
  powerPreference?: 'low-power' | 'high-performance';
  /**
   * Node only: take the adapter whose name contains this text (case-insensitive), e.g. `'NVIDIA'` or
   * `'SwiftShader'`. Also read from `RESIDUAL_WEBGPU_ADAPTER`.
   */
  adapter?: string;
  /** Ask for the software fallback adapter (SwiftShader in Node, the browser's own elsewhere). */
  forceFallbackAdapter?: boolean;
}

let options: WebGPUOptions = {};
let current: { adapter: AdapterDescription; device: DeviceLike } | null = null;

/**
 * Set how the webgpu backend picks its adapter. Call before `useBackend('webgpu')`.
 * @example
 * ```ts
 * import { setWebGPUOptions } from '@residual/backend-webgpu';
 * import { useBackend } from '@residual/tensor';
 * setWebGPUOptions({ powerPreference: 'low-power' });
 * await useBackend('webgpu');
 * ```
 */
export function setWebGPUOptions(next: WebGPUOptions): void {
  if (current) throw new Error('setWebGPUOptions: the webgpu backend has already started; set options before useBackend(\'webgpu\')');
  options = { ...next };
}

/**
 * The adapter the running webgpu backend computes on (`null` before it starts).
 * @example
 * ```ts
 * import { webgpuAdapter } from '@residual/backend-webgpu';
 * webgpuAdapter()?.description; // e.g. 'NVIDIA H100 80GB HBM3'
 * ```
 */
export function webgpuAdapter(): AdapterDescription | null {
  return current?.adapter ?? null;
}

/** Describe an adapter as `backendInfo()` reports it. */
export function describeAdapter(adapter: AdapterLike): AdapterDescription {
  const info = adapter.info ?? {};
  const isFallback = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe|microsoft basic render/i.test(`${info.architecture} ${info.description} ${info.device}`);
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallback,
  };
}

function adapterFlags(name: string | undefined): string[] {
  return name ? [`adapter=${name}`] : [];
}

async function requestAdapter(): Promise<AdapterLike> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  const name = options.adapter ?? (isNode ? process.env.RESIDUAL_WEBGPU_ADAPTER : undefined);
  let gpu;
  try {
    gpu = name && isNode ? await nodeGpu(adapterFlags(name)) : await getGpu();
  } catch (err) {
    throw new BackendUnavailableError('webgpu', `backend 'webgpu' is not available: ${(err as Error).message}`, err);
  }
  let adapter: AdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({
      powerPreference: options.powerPreference ?? 'high-performance',
      ...(options.forceFallbackAdapter ? { forceFallbackAdapter: true } : {}),
    });
  } catch (err) {
    // Dawn throws (listing the adapters it has) when none matches the requested name.
    const listed = /Available adapters:[\s\S]*/.exec((err as Error).message)?.[0].trim() ?? (err as Error).message;
    const what = name ? `no GPU adapter whose name contains '${name}' was found` : `requestAdapter failed`;
    throw new BackendUnavailableError('webgpu', `backend 'webgpu' is not available: ${what}.\n${listed}\n${platformHelp()}`, err);
  }
  if (!adapter) {
    const what = name ? `no GPU adapter whose name contains '${name}'` : 'no GPU adapter';
    throw new BackendUnavailableError('webgpu', `backend 'webgpu' is not available: ${what} was found.\n${platformHelp()}`);
  }
  return adapter;
}

/** Start a device on the chosen adapter, with the limits tfjs-backend-webgpu asks for. */
async function startBackend(): Promise<WebGPUBackend> {
  const adapter = await requestAdapter();
  const limits = adapter.limits;
  const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  current = { adapter: describeAdapter(adapter), device };
  void device.lost.then((lost) => {
    if (lost.reason !== 'destroyed') console.error(`webgpu: device lost (${lost.reason}): ${lost.message}`);
  });
  const backend = new WebGPUBackend(device as never, (adapter.info ?? undefined) as never);
  guardSyncReads(backend);
  watchErrors(device);
  return backend;
}

/** Raised when webgpu data is read synchronously where that is impossible (Node: Dawn reads back only asynchronously). */
export class WebGPUSyncReadError extends Error {
  constructor() {
    super(
      'webgpu: a tensor on the GPU was read synchronously (dataSync(), arraySync(), print(), or used on another ' +
        'backend), which Dawn in Node cannot do: it reads GPU memory back only asynchronously. Use ' +
        '`await tensor.data()`, or `await toHost(tensors)` from @residual/tensor before a synchronous API.',
    );
    this.name = 'WebGPUSyncReadError';
  }
}

// tfjs-backend-webgpu reads synchronously through an OffscreenCanvas, which only pages have; without one
// it fails with "OffscreenCanvas is not defined". Values already on the host (after an async read, or
// never uploaded) are still served.
function guardSyncReads(backend: WebGPUBackend): void {
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return;
  const stock = backend.readSync.bind(backend);
  const tensors = (backend as unknown as { tensorMap: { get(id: object): { values?: unknown; dtype: string } | undefined } }).tensorMap;
  backend.readSync = (dataId: object) => {
    const data = tensors.get(dataId);
    if (data && data.values == null && data.dtype !== 'string') throw new WebGPUSyncReadError();
    return stock(dataId);
  };
}

const errors: string[] = [];

/**
 * WebGPU validation and out-of-memory errors since the last call (and clears them). tfjs does not check
 * for them, so an invalid shader would otherwise only show as garbage results; the conformance tests
 * assert this stays empty, and {@link assertNoWebGPUErrors} throws on any.
 * @example
 * ```ts
 * import { takeWebGPUErrors } from '@residual/backend-webgpu';
 * await y.data();
 * takeWebGPUErrors(); // []
 * ```
 */
export function takeWebGPUErrors(): string[] {
  return errors.splice(0, errors.length);
}

/**
 * Throw if the GPU reported any error since the last check, with the first few messages.
 * @example
 * ```ts
 * import { assertNoWebGPUErrors } from '@residual/backend-webgpu';
 * const loss = await lossTensor.data();
 * assertNoWebGPUErrors(); // throws "webgpu reported 1 error(s): …" after an invalid shader
 * ```
 */
export function assertNoWebGPUErrors(): void {
  const got = takeWebGPUErrors();
  if (got.length) throw new Error(`webgpu reported ${got.length} error(s):\n${got.slice(0, 3).join('\n')}`);
}

function watchErrors(device: DeviceLike): void {
  const target = device as unknown as { addEventListener?(type: string, f: (e: { error: { message: string } }) => void): void; onuncapturederror?: unknown };
  const record = (e: { error: { message: string } }) => {
    if (errors.length < 100) errors.push(e.error?.message ?? String(e));
  };
  if (typeof target.addEventListener === 'function') target.addEventListener('uncapturederror', record);
  else target.onuncapturederror = record;
}

/**
 * The provider `useBackend('webgpu')` calls: registers tfjs-backend-webgpu with tfjs-core on the adapter
 * chosen by {@link setWebGPUOptions}. In Node it loads Dawn from the optional `webgpu` package first.
 * Importing `@residual/backend-webgpu` registers it.
 * @example
 * ```ts
 * import { registerBackendProvider, useBackend } from '@residual/tensor';
 * import { webgpuBackendProvider } from '@residual/backend-webgpu';
 * registerBackendProvider('webgpu', webgpuBackendProvider());
 * await useBackend('webgpu');
 * ```
 */
export function webgpuBackendProvider(): BackendProvider {
  return {
    tfName: 'webgpu',
    async load() {
      if (current) return;
      // Create the backend here, not lazily inside tf.setBackend, so a missing adapter surfaces as
      // our error (with its advice) instead of tfjs's generic "Initialization failed".
      let backend: WebGPUBackend;
      try {
        backend = await startBackend();
      } catch (err) {
        if (err instanceof BackendUnavailableError) throw err;
        const advice = err instanceof WebGPUSetupError ? '' : `\n${platformHelp()}`;
        throw new BackendUnavailableError('webgpu', `backend 'webgpu' could not start: ${(err as Error).message}${advice}`, err);
      }
      // A page where navigator.gpu exists at import time gets tfjs's own factory; ours replaces it.
      if ((tf.engine() as unknown as { registryFactory: Record<string, unknown> }).registryFactory.webgpu) tf.removeBackend('webgpu');
      tf.registerBackend('webgpu', () => backend, 3);
    },
    info() {
      return current ? { adapter: current.adapter } : {};
    },
  };
}
