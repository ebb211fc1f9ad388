// `residual predict --weights TAG` prepares images with the weight set's own preprocessing, through the
// library's one decode path (datasets' decodeImage + transforms' resize and crop): equal to torchvision's
// `weights.transforms()` on `read_image` (tools/cli/gen_preprocess_fixtures.py). And the ways fetching a
// weight set by tag fails, against a real HTTP server on 127.0.0.1 standing in for the mirror.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, useBackend } from '@residual/tensor';
import { getWeights } from '@residual/zoo';
import { describePreprocessing, loadImages, weightsPreprocessing } from '../src/util/images';
import { runCli, runCliAsync } from './run-cli';

const FIX = join(__dirname, '..', 'fixtures', 'preprocess');
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as {
  step: number;
  cases: Record<string, { shape: [number, number, number]; values: number[] }>;
};

describe.each(Object.keys(expected.cases))('the preprocessing of %s', (key) => {
  it("equals torchvision's on the same file", async () => {
    await useBackend('cpu');
    const [model, tag, kind] = key.split('.') as [string, string, 'pil' | 'tensor'];
    const pre = weightsPreprocessing(getWeights(model, tag).preprocessing);
    const x = await loadImages([join(FIX, 'photo.png')], 3, pre);
    const want = expected.cases[key]!;
    const [c, h, w] = want.shape;
    expect(x.shape).toEqual([1, h, w, c]);
    const chw = tf.tidy(() => tf.transpose(tf.squeeze(x, [0]), [2, 0, 1]).dataSync() as Float32Array);
    x.dispose();
    let worstLevels = 0;
    let worstAbs = 0;
    let bias = 0;
    want.values.forEach((v, i) => {
      const j = i * expected.step;
      const level = 1 / 255 / pre.std[Math.floor(j / (h * w))]!;
      const d = chw[j]! - v;
      worstLevels = Math.max(worstLevels, Math.abs(d) / level);
      worstAbs = Math.max(worstAbs, Math.abs(d));
      bias += d / level / want.values.length;
    });
    if (kind === 'tensor') {
      // Our resize is torchvision's antialiased tensor arithmetic: equal to the fixture's 6 digits.
      expect(worstAbs).toBeLessThanOrEqual(2e-4);
    } else {
      // PIL resizes in its own fixed-point arithmetic: a pixel may round one 8-bit level apart, never
      // more, and not more often one way than the other.
      expect(worstLevels).toBeLessThanOrEqual(1.01);
      expect(Math.abs(bias)).toBeLessThan(0.05);
    }
  });
});

test('describes the preprocessing it applies', () => {
  expect(describePreprocessing(weightsPreprocessing(getWeights('resnet50', 'IMAGENET1K_V2').preprocessing))).toBe(
    'resize shorter side to 232 (bilinear) → centre crop 224 → normalize mean [0.485, 0.456, 0.406] std [0.229, 0.224, 0.225]',
  );
});

describe('residual predict --weights TAG', () => {
  let server: Server;
  let base: string;
  let home: string;
  beforeAll(async () => {
    // Serves bytes that are not resnet18-f37072fd.pth.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': 11 });
      res.end('not weights');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'residual-home-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const img = join(FIX, 'photo.png');

  it('refuses a download whose SHA-256 does not match the weight set, caching nothing', async () => {
    const r = await runCliAsync(['predict', '--model', 'resnet18', '--weights', 'IMAGENET1K_V1', '--mirror', base, img], { env: { RESIDUAL_HOME: home } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`downloaded ${base}/resnet18-f37072fd\\.pth: SHA-256 [0-9a-f]{64} does not start with f37072fd`));
    expect(r.stdout).toBe('');
    expect(readdirSync(join(home, 'weights'))).toEqual([]);
  });

  it('offline and not cached: says where to put the file', () => {
    const r = runCli(['predict', '--model', 'resnet50', '--weights', 'DEFAULT', img], {
      env: { RESIDUAL_HOME: home, RESIDUAL_WEIGHTS_MIRROR: 'http://127.0.0.1:9' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot download http://127.0.0.1:9/resnet50-11ad3fa6.pth');
    expect(r.stderr).toContain(`${join(home, 'weights', 'resnet50-11ad3fa6.pth')} is not in the cache`);
  });

  it('names the weight sets a model has when the tag is unknown, and says when it has none', () => {
    const r = runCli(['predict', '--model', 'resnet50', '--weights', 'IMAGENET1K_V9', img], { env: { RESIDUAL_HOME: home } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/resnet50: no weights 'IMAGENET1K_V9'; it has IMAGENET1K_V1, IMAGENET1K_V2 \(or DEFAULT\)/);
    const none = runCli(['predict', '--model', 'resnet20', '--weights', 'DEFAULT', img], { env: { RESIDUAL_HOME: home } });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/resnet20: no published weights/);
  });
});
