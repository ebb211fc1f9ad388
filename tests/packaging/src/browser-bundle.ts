// Helpers of the browser-bundling test: the README example bundled by esbuild, Vite and webpack with
// their defaults (no plugins, stubs or aliases), served cross-origin isolated.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The README's first example, in JavaScript, reporting its result on `window.__result`. */
export const README_EXAMPLE = `import { tf, useBackend, seed } from '@residual/tensor';
import '@residual/backend-wasm';
import { createModel } from '@residual/zoo';

try {
  seed(0);
  await useBackend('wasm');
  const model = createModel('resnet20', { numClasses: 10 }).eval();
  const logits = model.forward(tf.zeros([1, 32, 32, 3])); // NHWC inside
  const values = Array.from(await logits.data());
  window.__result = { backend: tf.getBackend(), shape: logits.shape, finite: values.every(Number.isFinite) };
} catch (e) {
  window.__result = { error: String(e && e.stack || e) };
}
`;

/** Writes the example and an index.html into `dir`. */
export function writeExample(dir: string): void {
  writeFileSync(join(dir, 'app.js'), README_EXAMPLE);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>readme</title><script type="module" src="/app.js"></script>\n');
}

/** Copies tfjs-backend-wasm's binaries next to a bundle (where tfjs looks for them by default). */
export function copyWasmBinaries(project: string, out: string): void {
  const dir = join(project, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const f of readdirSync(dir)) if (f.endsWith('.wasm')) copyFileSync(join(dir, f), join(out, f));
}

/**
 * Serves `root` on 127.0.0.1 with COOP/COEP (a cross-origin isolated page, as WASM threads need): the
 * browser demo's own server.
 */
export function serveStatic(root: string): Promise<{ url: string; close(): Promise<void> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { serve } = require(join(__dirname, '..', '..', '..', 'examples', 'browser', 'serve.cjs')) as {
    serve(port: number, root: string): Promise<{ url: string; close(): Promise<void> }>;
  };
  return serve(0, root);
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
