// `residual predict --weights TAG`: the ways fetching a published weight set fails, against a real HTTP
// server on 127.0.0.1 standing in for the mirror. (The preprocessing it applies is checked against
// torchvision in src/util/images.test.ts, the download and cache in @residual/zoo's weights tests.)
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, runCliAsync } from './run-cli';

const FIX = join(__dirname, '..', 'fixtures', 'preprocess');

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
