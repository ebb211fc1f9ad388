import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

// End to end: the bundled page (npm run build → dist/) served on 127.0.0.1, driven in Debian's
// headless Chromium. The page classifies a drawn picture with ResNet-20 and trains it for a few SGD
// steps on a tiny batch; the loss must fall. Once on WASM (Chromium without GPU), once on WebGPU
// (Chromium with --enable-unsafe-webgpu, whose adapter here is SwiftShader).
const DIST = join(__dirname, '..', 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOT_DIR = process.env.RESIDUAL_SCREENSHOT_DIR ?? join(__dirname, '..', '..', '..', 'runs', 'browser-demo');

interface DemoState {
  status: string;
  backend?: string;
  backendReason?: string;
  adapter?: string;
  threads?: number;
  isolated?: boolean;
  prediction?: { label: string; probability: number };
  losses: number[];
  error?: string;
}

const HEADLESS = ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function runDemo(browser: Browser, url: string, shot: string): Promise<{ state: DemoState; errors: string[]; shown: string | null }> {
  const page = await browser.newPage({ viewport: { width: 820, height: 720 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(
    () => ['done', 'error'].includes((window as unknown as { __demo?: DemoState }).__demo?.status ?? ''),
    undefined,
    { timeout: 280_000, polling: 500 },
  );
  const state = (await page.evaluate(() => (window as unknown as { __demo: DemoState }).__demo)) as DemoState;
  mkdirSync(SHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SHOT_DIR, shot), fullPage: true });
  const shown = await page.textContent('#prediction');
  await page.close();
  return { state, errors, shown };
}

function expectLearned(state: DemoState, steps: number, factor: number): void {
  expect(state.losses).toHaveLength(steps);
  expect(state.losses.every(Number.isFinite)).toBe(true);
  expect(state.losses[state.losses.length - 1]!).toBeLessThan(state.losses[0]! * factor);
}

describe('browser demo', () => {
  let browser: Browser;
  let gpuBrowser: Browser;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'app.js'))) throw new Error(`${DIST}/app.js is missing: run 'npm run build -w @residual/browser-demo'`);
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { serve } = require('../serve.cjs') as { serve(port: number): Promise<{ url: string; close(): Promise<void> }> };
    server = await serve(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...HEADLESS, '--disable-gpu'] });
    gpuBrowser = await chromium.launch({ executablePath: CHROMIUM, args: [...HEADLESS, '--enable-unsafe-webgpu', '--enable-features=Vulkan'] });
  });

  afterAll(async () => {
    await browser?.close();
    await gpuBrowser?.close();
    await server?.close();
  });

  it('classifies a picture and the loss falls while training on the WASM backend', async () => {
    const { state, errors, shown } = await runDemo(browser, `${server.url}?steps=10`, 'demo.png');
    expect(state.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(state.status).toBe('done');
    expect(state.backend).toBe('wasm');
    expect(state.backendReason).toMatch(/WebGPU/);
    // The server's COOP/COEP headers make the page cross-origin isolated (WASM threads possible).
    expect(state.isolated).toBe(true);
    expect(state.threads).toBeGreaterThanOrEqual(1);
    // A prediction is shown on the page: a CIFAR-10 class with a probability.
    expect(state.prediction!.probability).toBeGreaterThan(0);
    expect(shown).toContain(state.prediction!.label);
    // Memorising 8 images: the loss after 10 steps is well below the start.
    expectLearned(state, 10, 0.8);
  }, 300_000);

  it('trains and classifies on WebGPU when asked for, and shows the adapter', async () => {
    const { state, errors, shown } = await runDemo(gpuBrowser, `${server.url}?steps=5&backend=webgpu`, 'demo-webgpu.png');
    expect(state.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(state.status).toBe('done');
    expect(state.backend).toBe('webgpu');
    expect(state.adapter).toMatch(/GPU: /);
    expect(shown).toContain(state.prediction!.label);
    expectLearned(state, 5, 0.9);
  }, 300_000);

  it('prefers WASM to a software-only WebGPU adapter, and says so', async () => {
    const { state } = await runDemo(gpuBrowser, `${server.url}?steps=1`, 'demo-auto.png');
    expect(state.status).toBe('done');
    if (process.env.RESIDUAL_WEBGPU_HARDWARE) {
      expect(state.backend).toBe('webgpu');
      expect(state.backendReason).toMatch(/has a WebGPU adapter/);
    } else {
      // Headless Chromium here offers WebGPU only on SwiftShader.
      expect(state.backend).toBe('wasm');
      expect(state.backendReason).toMatch(/software fallback \(swiftshader/i);
    }
  }, 300_000);
});
