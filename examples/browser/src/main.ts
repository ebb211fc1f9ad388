/**
 * The browser demo: ResNet-20 from @residual/zoo on WebGPU when the page has a GPU adapter, on tfjs's
 * WASM backend otherwise (`?backend=webgpu|wasm` forces one; a software WebGPU adapter such as
 * SwiftShader is only used when asked for, being slower than WASM). It draws an image on a
 * canvas and classifies it, then trains the network for a few SGD steps on a tiny generated batch
 * (horizontal vs vertical stripes) and plots the loss as it falls.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@residual/backend-wasm';
import '@residual/backend-webgpu';
import { tf, useBackend, backendInfo, seed, type BackendName } from '@residual/tensor';
import { createModel } from '@residual/zoo';
import { sgd } from '@residual/train';
import { drawScene, drawStripes, imageBatch, CIFAR10 } from './images';
import { plotLosses } from './plot';

/** What the page exposes for the end-to-end test (and for curious users in the console). */
export interface DemoState {
  status: 'loading' | 'classifying' | 'training' | 'done' | 'error';
  backend?: string;
  /** Why the page is on the backend it shows (e.g. no WebGPU adapter). */
  backendReason?: string;
  /** The WebGPU adapter, when on webgpu. */
  adapter?: string;
  /** WASM threads (more than 1 needs a cross-origin isolated page: the server sends COOP/COEP). */
  threads?: number;
  /** `crossOriginIsolated`: SharedArrayBuffer, hence WASM threads, are available. */
  isolated?: boolean;
  prediction?: { label: string; probability: number };
  losses: number[];
  error?: string;
}

const state: DemoState = { status: 'loading', losses: [] };
(window as unknown as { __demo: DemoState }).__demo = state;
const $ = (id: string) => document.getElementById(id)!;
const params = new URLSearchParams(location.search);
const steps = Number(params.get('steps') ?? 12);
const wanted = params.get('backend') ?? 'auto';

/** WebGPU when the page has a hardware adapter (or when asked for), WASM otherwise. */
async function pickBackend(): Promise<{ name: BackendName; reason: string }> {
  if (wanted === 'wasm') return { name: 'wasm', reason: 'asked for with ?backend=wasm' };
  if (!('gpu' in navigator)) {
    if (wanted === 'webgpu') throw new Error('?backend=webgpu: this browser has no WebGPU (navigator.gpu)');
    return { name: 'wasm', reason: 'this browser has no WebGPU' };
  }
  try {
    await useBackend('webgpu');
  } catch (e) {
    if (wanted === 'webgpu') throw e;
    return { name: 'wasm', reason: `WebGPU did not start: ${(e as Error).message.split('\n')[0]}` };
  }
  const adapter = backendInfo().adapter;
  if (adapter?.isFallback && wanted !== 'webgpu') {
    return { name: 'wasm', reason: `the only WebGPU adapter is a software fallback (${adapter.architecture || adapter.description}), slower than WASM` };
  }
  return { name: 'webgpu', reason: wanted === 'webgpu' ? 'asked for with ?backend=webgpu' : 'the page has a WebGPU adapter' };
}

function say(text: string): void {
  $('status').textContent = text;
}

async function classify(model: ReturnType<typeof createModel>, canvas: HTMLCanvasElement) {
  model.eval();
  const probs = tf.tidy(() => tf.softmax(model.forward(imageBatch([canvas]))));
  const p = Array.from(await probs.data());
  probs.dispose();
  const order = p.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 3);
  $('prediction').innerHTML = order.map(([v, i]) => `<li><b>${CIFAR10[i]}</b> ${(v * 100).toFixed(1)}%</li>`).join('');
  return { label: CIFAR10[order[0]![1]]!, probability: order[0]![0] };
}

async function run(): Promise<void> {
  // The .wasm binaries are served next to the bundle (build.mjs copies them).
  setWasmPaths(new URL('./', location.href).href);
  const choice = await pickBackend();
  state.backend = await useBackend(choice.name);
  state.backendReason = choice.reason;
  const info = backendInfo();
  state.threads = info.threads;
  state.isolated = globalThis.crossOriginIsolated === true;
  const detail = info.adapter
    ? `GPU: ${[info.adapter.vendor, info.adapter.architecture, info.adapter.description].filter(Boolean).join(' ')}${info.adapter.isFallback ? ', software fallback' : ''}`
    : `${info.threads} thread${info.threads > 1 ? 's' : ''}${info.simd === null ? '' : info.simd ? ', SIMD' : ', no SIMD'}`;
  if (info.adapter) state.adapter = detail;
  $('backend').textContent = `${info.name} (tfjs ${info.version}, ${detail}) — ${choice.reason}`;
  seed(0);
  const model = createModel('resnet20', { numClasses: 10 });
  $('params').textContent = model.numParameters().toLocaleString();

  state.status = 'classifying';
  say('classifying the picture with ResNet-20 (freshly initialised weights)…');
  const scene = $('scene') as HTMLCanvasElement;
  drawScene(scene);
  state.prediction = await classify(model, scene);

  // A tiny batch the network can memorise: 4 horizontal-stripe images (label 0), 4 vertical (label 1).
  state.status = 'training';
  const canvases: HTMLCanvasElement[] = [];
  const labels: number[] = [];
  const strip = $('batch');
  for (let i = 0; i < 8; i++) {
    const c = document.createElement('canvas');
    c.width = c.height = 32;
    drawStripes(c, i % 2 === 0 ? 'horizontal' : 'vertical', i);
    canvases.push(c);
    labels.push(i % 2);
    strip.appendChild(c);
  }
  const x = imageBatch(canvases);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const named = model.namedParameters();
  const byVar = new Map(named.map(([n, v]) => [v.name, n] as const));
  const opt = sgd({ params: model, lr: 0.05, momentum: 0.9 });
  model.train();
  for (let s = 0; s < steps; s++) {
    say(`training step ${s + 1} of ${steps}…`);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, model.forward(x)) as import('@residual/tensor').Tensor<tf.Rank.R0>,
      named.map(([, v]) => v),
    );
    const byName: Record<string, import('@residual/tensor').Tensor> = {};
    for (const [vn, g] of Object.entries(grads)) byName[byVar.get(vn)!] = g;
    opt.step(byName);
    Object.values(grads).forEach((g) => g.dispose());
    state.losses.push((await value.data())[0]!);
    value.dispose();
    plotLosses($('losses') as HTMLCanvasElement, state.losses);
    $('loss-list').textContent = state.losses.map((l) => l.toFixed(3)).join('  ');
    await new Promise((r) => setTimeout(r, 0)); // let the page repaint
  }
  x.dispose();
  y.dispose();
  state.status = 'done';
  const first = state.losses[0]!;
  const last = state.losses[state.losses.length - 1]!;
  say(`done: loss ${first.toFixed(3)} → ${last.toFixed(3)} after ${steps} SGD steps; ${tf.memory().numTensors} tensors alive`);
}

run().catch((e: unknown) => {
  state.status = 'error';
  state.error = String((e as Error)?.stack ?? e);
  say(`error: ${(e as Error)?.message ?? e}`);
});
