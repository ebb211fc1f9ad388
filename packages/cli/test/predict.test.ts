import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, writeNpy } from '../src';
import { writeFormulaSafetensors, type KeySpec } from './formula';
import { runCli } from './run-cli';

// Input, keys and expected logits come from torch/torchvision (tools/cli/gen_predict_fixtures.py);
// the weights are the generator's closed-form formula, written here as a torch user's safetensors.
const FIX = join(__dirname, '..', 'fixtures', 'predict');

function maxRelErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(Number(got[i]) - Number(want[i])));
    scale = Math.max(scale, Math.abs(Number(want[i])));
  }
  return maxDiff / scale;
}

describe('residual predict reproduces torchvision logits', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'residual-predict-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[model: string, extra: string[], expected: string]> = [
    ['resnet20', [], 'logits'],
    ['resnet20', ['--train-mode'], 'train_logits'],
    ['resnet18', [], 'logits'],
    // webgpu: SwiftShader in CI (jest.preset.cjs sets VK_ICD_FILENAMES, which the CLI inherits).
    ['resnet20', ['--backend', 'webgpu'], 'logits'],
    ['resnet20', ['--train-mode', '--backend', 'webgpu'], 'train_logits'],
    ['resnet18', ['--backend', 'webgpu'], 'logits'],
  ];

  test.each(cases)('%s %p', (model, extra, expected) => {
    const keys = (JSON.parse(readFileSync(join(FIX, `${model}.keys.json`), 'utf8')) as { keys: KeySpec[] }).keys;
    const weights = join(dir, `${model}.safetensors`);
    writeFormulaSafetensors(weights, keys);
    const out = join(dir, `${model}-${expected}.npy`);
    const r = runCli([
      'predict', '--model', model, '--weights', weights,
      '--input', join(FIX, `${model}.input.npy`), '--output', out, ...extra,
    ]);
    expect(r.stderr).toBe(''); // no errors, and no tfjs banners either
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote logits (${readNpy(join(FIX, `${model}.${expected}.npy`)).shape.join(', ')}) to ${out}\n`);
    const got = readNpy(out);
    const want = readNpy(join(FIX, `${model}.${expected}.npy`));
    expect(got.dtype).toBe('float32');
    expect(got.shape).toEqual(want.shape);
    expect(maxRelErr(got.data as Float32Array, want.data as Float32Array)).toBeLessThanOrEqual(1e-4);
  });

  it('says which file is missing and which model names are close', () => {
    const r = runCli(['predict', '--model', 'resnet2', '--weights', 'nope.safetensors', '--input', 'x.npy', '--output', 'y.npy']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown model 'resnet2'; did you mean .*resnet20/);
    const keys = (JSON.parse(readFileSync(join(FIX, 'resnet20.keys.json'), 'utf8')) as { keys: KeySpec[] }).keys;
    const weights = join(dir, 'w20.safetensors');
    writeFormulaSafetensors(weights, keys);
    const r2 = runCli(['predict', '--model', 'resnet20', '--weights', weights, '--input', join(dir, 'absent.npy'), '--output', join(dir, 'o.npy')]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(join(dir, 'absent.npy'));
  });

  it('refuses an empty batch by name instead of failing inside the model', () => {
    const keys = (JSON.parse(readFileSync(join(FIX, 'resnet20.keys.json'), 'utf8')) as { keys: KeySpec[] }).keys;
    const weights = join(dir, 'w20e.safetensors');
    writeFormulaSafetensors(weights, keys);
    const empty = join(dir, 'empty.npy');
    writeNpy(empty, { dtype: 'float32', shape: [0, 3, 32, 32], data: new Float32Array(0) });
    const r = runCli(['predict', '--model', 'resnet20', '--weights', weights, '--input', empty, '--output', join(dir, 'o.npy')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${empty}: the batch is empty (shape (0, 3, 32, 32))`);
  });

  it('refuses weights of another architecture, listing the keys that do not fit', () => {
    const keys = (JSON.parse(readFileSync(join(FIX, 'resnet20.keys.json'), 'utf8')) as { keys: KeySpec[] }).keys;
    const weights = join(dir, 'w20b.safetensors');
    writeFormulaSafetensors(weights, keys);
    const r = runCli(['predict', '--model', 'resnet32', '--weights', weights, '--input', join(FIX, 'resnet20.input.npy'), '--output', join(dir, 'o.npy')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/w20b\.safetensors/);
    expect(r.stderr).toMatch(/layer1\.3\.conv1\.weight/);
  });
});

describe('residual predict --image', () => {
  it('prints the top classes with CIFAR-10 names for resnet20', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'residual-image-'));
    try {
      const sharp = (await import('sharp')).default;
      const w = 40;
      const h = 30;
      const px = Buffer.alloc(w * h * 3);
      for (let i = 0; i < px.length; i++) px[i] = (i * 7) % 256;
      const img = join(dir, 'a.png');
      await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(img);
      const keys = (JSON.parse(readFileSync(join(FIX, 'resnet20.keys.json'), 'utf8')) as { keys: KeySpec[] }).keys;
      const weights = join(dir, 'w.safetensors');
      writeFormulaSafetensors(weights, keys);
      // The same pixels tagged "rotate 90°": shown to the model as stored (as torchvision), and said so.
      const rot = join(dir, 'rot.png');
      await sharp(px, { raw: { width: w, height: h, channels: 3 } }).withMetadata({ orientation: 6 }).png().toFile(rot);
      const r = runCli(['predict', '--model', 'resnet20', '--weights', weights, img, img, rot, '--top', '3', '--json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(`${rot}: EXIF orientation 6 not applied (as torchvision): the model sees the image as stored\n`);
      const out = JSON.parse(r.stdout) as Array<{ image: string; predictions: Array<{ index: number; label: string; probability: number }> }>;
      expect(out).toHaveLength(3);
      expect(out[2]).toEqual({ ...out[0], image: rot });
      const cifar = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
      for (const o of out) {
        expect(o.predictions).toHaveLength(3);
        for (const p of o.predictions) expect(p.label).toBe(cifar[p.index]);
        expect(o.predictions[0]!.probability).toBeGreaterThanOrEqual(o.predictions[1]!.probability);
      }
      expect(out[1]).toEqual({ ...out[0], image: img });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('names the file when one of several images is truncated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'residual-trunc-'));
    try {
      const sharp = (await import('sharp')).default;
      const px = Buffer.alloc(64 * 48 * 3, 90);
      const good = join(dir, 'good.jpg');
      await sharp(px, { raw: { width: 64, height: 48, channels: 3 } }).jpeg().toFile(good);
      const bytes = readFileSync(good);
      const cut = join(dir, 'cut.jpg');
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const keys = (JSON.parse(readFileSync(join(FIX, 'resnet20.keys.json'), 'utf8')) as { keys: KeySpec[] }).keys;
      const weights = join(dir, 'w.safetensors');
      writeFormulaSafetensors(weights, keys);
      const r = runCli(['predict', '--model', 'resnet20', '--weights', weights, '--image', good, cut]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${cut}: cannot decode image`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('predict with .pth weights', () => {
  it('reads a torch.save state dict (the zoo fixture written by PyTorch) and gives its logits', () => {
    const fixture = join(__dirname, '..', '..', 'zoo', 'fixtures', 'pth');
    const ref = JSON.parse(readFileSync(join(fixture, 'resnet20.json'), 'utf8')) as { input_nchw: number[]; logits: number[] };
    const dir = mkdtempSync(join(tmpdir(), 'residual-pth-'));
    const input = join(dir, 'x.npy');
    writeNpy(input, { dtype: 'float32', shape: [2, 3, 32, 32], data: Float32Array.from(ref.input_nchw) });
    const out = join(dir, 'y.npy');
    const r = runCli(['predict', '--model', 'resnet20', '--weights', join(fixture, 'resnet20.pth'), '--input', input, '--output', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const logits = readNpy(out);
    const scale = Math.max(...ref.logits.map(Math.abs));
    ref.logits.forEach((v, i) => expect(Math.abs(Number(logits.data[i]) - v) / scale).toBeLessThanOrEqual(1e-4));
  });
});

describe('predict --rename-keys', () => {
  it('loads a checkpoint with a `linear.` head and a `module.` prefix, and refuses a malformed rule', async () => {
    const { decodePth, encodeSafetensors, renameKeys } = await import('@residual/nn');
    const fixture = join(__dirname, '..', '..', 'zoo', 'fixtures', 'pth');
    const ref = JSON.parse(readFileSync(join(fixture, 'resnet20.json'), 'utf8')) as { input_nchw: number[]; logits: number[] };
    const dir = mkdtempSync(join(tmpdir(), 'residual-rename-'));
    // The layout of the common CIFAR scripts under DataParallel: module.conv1.weight … module.linear.bias.
    const sd = renameKeys(decodePth(new Uint8Array(readFileSync(join(fixture, 'resnet20.pth')))), [
      ['', 'module.'],
      ['module.fc.', 'module.linear.'],
    ]);
    const weights = join(dir, 'cifar-script.safetensors');
    writeFileSync(weights, encodeSafetensors(sd));
    const input = join(dir, 'x.npy');
    writeNpy(input, { dtype: 'float32', shape: [2, 3, 32, 32], data: Float32Array.from(ref.input_nchw) });
    const out = join(dir, 'y.npy');
    const bad = runCli(['predict', '--model', 'resnet20', '--weights', weights, '--input', input, '--output', out]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/does not fit the model .*unexpected keys: module\.conv1\.weight/);
    const r = runCli(['predict', '--model', 'resnet20', '--weights', weights, '--rename-keys', 'module.=', '--rename-keys', 'linear.=fc.', '--input', input, '--output', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const logits = readNpy(out);
    const scale = Math.max(...ref.logits.map(Math.abs));
    ref.logits.forEach((v, i) => expect(Math.abs(Number(logits.data[i]) - v) / scale).toBeLessThanOrEqual(1e-4));
    const malformed = runCli(['predict', '--model', 'resnet20', '--weights', weights, '--rename-keys', 'linear.', '--input', input, '--output', out]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/--rename-keys expects FROM=TO/);
  });
});

describe('predict on a real JPEG with torch.save weights', () => {
  it("gives torchvision's top-5 classes and probabilities on the same file (tools/cli/gen_predict_photo.py)", () => {
    const photo = join(__dirname, '..', 'fixtures', 'photo');
    const want = JSON.parse(readFileSync(join(photo, 'chelsea.json'), 'utf8')) as { top5: Array<{ index: number; probability: number }> };
    const weights = join(__dirname, '..', '..', 'zoo', 'fixtures', 'pth', 'resnet20.pth');
    const r = runCli(['predict', '--model', 'resnet20', '--weights', weights, join(photo, 'chelsea.jpg'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = (JSON.parse(r.stdout) as Array<{ predictions: Array<{ index: number; label: string; probability: number }> }>)[0]!.predictions;
    expect(got.map((p) => p.index)).toEqual(want.top5.map((p) => p.index));
    got.forEach((p, i) => expect(Math.abs(p.probability - want.top5[i]!.probability)).toBeLessThanOrEqual(1e-4));
    expect(got[0]!.label).toBe(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'][got[0]!.index]);
  });
});
