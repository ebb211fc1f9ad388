// createModel(name, { weights }) end to end against a real HTTP server on 127.0.0.1: a model card
// whose weight set is the torch.save'd ResNet-20 of fixtures/pth (PyTorch's own file and logits), the
// cache, offline use, and every way a download goes wrong.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, useBackend } from '@residual/tensor';
import type { Module } from '@residual/nn';
import { createModel, fetchWeights, getModelCard, getWeights, registerModel, weightsCacheDir, CifarResNet, type PretrainedWeights } from '../index';

const FIX = join(__dirname, '..', '..', 'fixtures', 'pth');
const PTH = readFileSync(join(FIX, 'resnet20.pth'));
const REF = JSON.parse(readFileSync(join(FIX, 'resnet20.json'), 'utf8')) as { input_nchw: number[]; logits: number[] };
const SHA = createHash('sha256').update(PTH).digest('hex');
const FILE = `resnet20-${SHA.slice(0, 8)}.pth`;

/** What the server sends for a path; by default the fixture. */
let route: (path: string, res: import('node:http').ServerResponse) => void;
const serveFixture = (_: string, res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'content-length': PTH.length });
  res.end(PTH);
};
let server: Server;
let base: string;
let hits = 0;

function weights(extra: Partial<PretrainedWeights> = {}): PretrainedWeights {
  return {
    tag: 'TEST_V1',
    url: `${base}/models/${FILE}`,
    sha256Prefix: SHA.slice(0, 8),
    numClasses: 10,
    classes: 'imagenet',
    accuracy: { top1: 91.25, top5: 99.5, dataset: 'CIFAR-10 test' },
    preprocessing: { resizeSize: 32, cropSize: 32, interpolation: 'bilinear', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    recipe: 'tools/nn/gen_pth_fixtures.py',
    source: 'torch.save of the option-A reference ResNet-20',
    isDefault: true,
    ...extra,
  };
}

beforeAll(async () => {
  await useBackend('cpu');
  server = createServer((req, res) => {
    hits++;
    route(req.url ?? '', res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  registerModel({
    card: { ...getModelCard('resnet20'), name: 'test_resnet20_pretrained', weights: [weights()] },
    accepts: ['shortcut'],
    build: (o) => new CifarResNet({ ...o, depth: 20 }),
  });
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

let cache: string;
beforeEach(() => {
  route = serveFixture;
  hits = 0;
  cache = mkdtempSync(join(tmpdir(), 'residual-weights-'));
});
afterEach(() => rmSync(cache, { recursive: true, force: true }));

function logitsOf(model: Module): number[] {
  return tf.tidy(() => {
    const x = tf.transpose(tf.tensor4d(REF.input_nchw, [2, 3, 32, 32]), [0, 2, 3, 1]);
    return Array.from(model.forward(x).dataSync());
  });
}

function maxRel(a: number[], b: number[]): number {
  const scale = Math.max(...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / scale));
}

describe('createModel(name, { weights })', () => {
  it('downloads once, verifies, caches, and gives PyTorch-equal logits in eval mode — then works offline', async () => {
    const seen: Array<[number, number]> = [];
    const model = await createModel('test_resnet20_pretrained', { weights: 'TEST_V1' }, { cacheDir: cache, progress: (r, t) => seen.push([r, t]) });
    expect(model.training).toBe(false);
    expect(maxRel(logitsOf(model), REF.logits)).toBeLessThanOrEqual(1e-4);
    model.dispose();
    expect(readdirSync(cache)).toEqual([FILE]);
    expect(seen.at(-1)).toEqual([PTH.length, PTH.length]);
    expect(hits).toBe(1);
    // Offline: the server refuses everything, the cache serves.
    route = (_, res) => res.destroy();
    const again = await createModel('test_resnet20_pretrained', { weights: 'DEFAULT' }, { cacheDir: cache, progress: false });
    expect(maxRel(logitsOf(again), REF.logits)).toBeLessThanOrEqual(1e-4);
    again.dispose();
  });

  it('offline with nothing cached: names the URL and the cache file to put there', async () => {
    // A port nothing listens on: a server's, closed again.
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const w = weights({ url: `http://127.0.0.1:${port}/models/${FILE}` });
    await expect(fetchWeights(w, { cacheDir: cache, progress: false })).rejects.toThrow(
      new RegExp(`cannot download http://127.0.0.1:${port}/models/${FILE} \\(ECONNREFUSED\\), and ${join(cache, FILE).replace(/[.]/g, '\\.')} is not in the cache`),
    );
    expect(readdirSync(cache)).toEqual([]);
  });

  it('refuses a file whose SHA-256 does not match its name, keeping nothing', async () => {
    route = (_, res) => {
      const evil = Buffer.from(PTH);
      evil[evil.length >> 1] ^= 0xff;
      res.writeHead(200, { 'content-length': evil.length });
      res.end(evil);
    };
    await expect(createModel('test_resnet20_pretrained', { weights: 'TEST_V1' }, { cacheDir: cache, progress: false })).rejects.toThrow(
      new RegExp(`SHA-256 [0-9a-f]{64} does not start with ${SHA.slice(0, 8)}`),
    );
    expect(readdirSync(cache)).toEqual([]);
  });

  it('refuses a truncated download (the connection drops mid-file) and an HTTP error, keeping nothing', async () => {
    route = (_, res) => {
      res.writeHead(200, { 'content-length': PTH.length });
      res.write(PTH.subarray(0, 1000), () => res.destroy());
    };
    await expect(fetchWeights(weights(), { cacheDir: cache, progress: false })).rejects.toThrow(/broke off after 1000 bytes|ended after 1000 of/);
    expect(readdirSync(cache)).toEqual([]);
    route = (_, res) => {
      res.writeHead(404);
      res.end();
    };
    await expect(fetchWeights(weights(), { cacheDir: cache, progress: false })).rejects.toThrow(/HTTP 404/);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('replaces a corrupt cache entry instead of trusting it', async () => {
    writeFileSync(join(cache, FILE), 'not the weights');
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const got = await fetchWeights(weights(), { cacheDir: cache, progress: false });
      expect(got.cached).toBe(false);
      expect(Buffer.from(got.bytes).equals(PTH)).toBe(true);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/fails its SHA-256 check; downloading it again/);
    } finally {
      err.mockRestore();
    }
    expect(hits).toBe(1);
  });

  it('downloads from a mirror (RESIDUAL_WEIGHTS_MIRROR), keeping the file name', async () => {
    const w = weights({ url: `https://download.pytorch.org/models/${FILE}` });
    let asked = '';
    route = (path, res) => {
      asked = path;
      serveFixture(path, res);
    };
    const got = await fetchWeights(w, { cacheDir: cache, progress: false, mirror: `${base}/mirror/` });
    expect(asked).toBe(`/mirror/${FILE}`);
    expect(got.path).toBe(join(cache, FILE));
  });

  it('refuses a tag the model does not have, listing those it has, and a head of another size', async () => {
    expect(() => getWeights('resnet50', 'IMAGENET1K_V3')).toThrow(/no weights 'IMAGENET1K_V3'; it has IMAGENET1K_V1, IMAGENET1K_V2 \(or DEFAULT\)/);
    expect(() => getWeights('resnet20', 'DEFAULT')).toThrow(/resnet20: no published weights/);
    await expect(createModel('test_resnet20_pretrained', { weights: 'TEST_V1', numClasses: 7 }, { cacheDir: cache })).rejects.toThrow(
      /weights TEST_V1 have 10 classes, not numClasses 7/,
    );
    expect(hits).toBe(0);
  });

  it('knows torchvision\'s weight sets, their checksums and their own preprocessing', () => {
    const v2 = getWeights('resnet50', 'DEFAULT');
    expect(v2).toMatchObject({ tag: 'IMAGENET1K_V2', url: 'https://download.pytorch.org/models/resnet50-11ad3fa6.pth', sha256Prefix: '11ad3fa6' });
    expect(v2.preprocessing).toEqual({ resizeSize: 232, cropSize: 224, interpolation: 'bilinear', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(getWeights('resnet18', 'DEFAULT').preprocessing.resizeSize).toBe(256);
    for (const name of ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d', 'resnext101_32x8d', 'resnext101_64x4d', 'wide_resnet50_2', 'wide_resnet101_2']) {
      const ws = getModelCard(name).weights!;
      expect(ws.filter((w) => w.isDefault)).toHaveLength(1);
      for (const w of ws) expect(w.url.endsWith(`-${w.sha256Prefix}.pth`)).toBe(true);
      // The card's hand-written reference accuracy is the V1 weights' (generated from torchvision).
      expect(getModelCard(name).referenceAccuracy?.top1).toBe(getWeights(name, 'IMAGENET1K_V1').accuracy.top1);
    }
  });

  it('uses RESIDUAL_HOME for the cache', () => {
    const before = process.env.RESIDUAL_HOME;
    process.env.RESIDUAL_HOME = cache;
    try {
      expect(weightsCacheDir()).toBe(join(cache, 'weights'));
    } finally {
      if (before === undefined) delete process.env.RESIDUAL_HOME;
      else process.env.RESIDUAL_HOME = before;
    }
  });
});

const root = process.getuid?.() === 0;
(root ? describe : describe.skip)('downloading onto a full disk (a 64 KiB tmpfs, needs root)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'residual-weights-enospc-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  });
  afterAll(() => {
    try {
      execFileSync('umount', [dir]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails naming the device and the file, and leaves no partial file', async () => {
    route = serveFixture;
    await expect(fetchWeights(weights(), { cacheDir: dir, progress: false })).rejects.toThrow(
      new RegExp(`no space left on the device of ${dir.replace(/[.]/g, '\\.')} while writing ${FILE}; nothing was kept`),
    );
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, FILE))).toBe(false);
  });
});
