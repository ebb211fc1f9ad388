import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

// End to end: the bundled page (npm run build → dist/) served on 127.0.0.1, driven in Debian's
// headless Chromium. The page classifies a drawn picture with ResNet-20 on the WASM backend and
// trains it for a few SGD steps on a tiny batch; the loss must fall.
const DIST = join(__dirname, '..', 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOT_DIR = process.env.RESIDUAL_SCREENSHOT_DIR ?? join(__dirname, '..', '..', '..', 'runs', 'browser-demo');

interface DemoState {
  status: string;
  backend?: string;
  prediction?: { label: string; probability: number };
  losses: number[];
  error?: string;
}

describe('browser demo', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'app.js'))) throw new Error(`${DIST}/app.js is missing: run 'npm run build -w @residual/browser-demo'`);
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { serve } = require('../serve.cjs') as { serve(port: number): Promise<{ url: string; close(): Promise<void> }> };
    server = await serve(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('classifies a picture and the loss falls while training on the WASM backend', async () => {
    const page = await browser.newPage({ viewport: { width: 820, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}?steps=10`);
    await page.waitForFunction(
      () => ['done', 'error'].includes((window as unknown as { __demo?: DemoState }).__demo?.status ?? ''),
      undefined,
      { timeout: 150_000, polling: 500 },
    );
    const state = (await page.evaluate(() => (window as unknown as { __demo: DemoState }).__demo)) as DemoState;
    mkdirSync(SHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SHOT_DIR, 'demo.png'), fullPage: true });
    expect(state.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(state.status).toBe('done');
    expect(state.backend).toBe('wasm');
    // A prediction is shown on the page: a CIFAR-10 class with a probability.
    expect(state.prediction!.probability).toBeGreaterThan(0);
    const shown = await page.textContent('#prediction');
    expect(shown).toContain(state.prediction!.label);
    // Memorising 8 images: the loss after 10 steps is well below the start.
    expect(state.losses).toHaveLength(10);
    expect(state.losses.every(Number.isFinite)).toBe(true);
    const first = state.losses[0]!;
    const last = state.losses[state.losses.length - 1]!;
    expect(last).toBeLessThan(first * 0.8);
  }, 200_000);
});
