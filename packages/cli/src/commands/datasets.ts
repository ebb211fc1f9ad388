import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from './command';
import { parse } from '../util/args';
import { CliError, unknownName } from '../util/errors';
import { defaultDatasetRoot } from '@residual/datasets';
import type { Io } from '../util/io';

const HELP = `Usage:
  residual datasets list                                  where each dataset is found, if anywhere
  residual datasets download cifar10|cifar100|fashion-mnist [--root DIR]

Downloads (with MD5 checks and resume) into --root, default $RESIDUAL_DATA/<dataset> or
~/.cache/residual/<dataset>, where 'residual train' looks. Fashion-MNIST is used straight from
/usr/share/datasets/fashion-mnist when Debian's dataset-fashion-mnist package is installed
(apt-get install dataset-fashion-mnist), so it needs no download there.
ImageNet cannot be downloaded automatically: put ImageFolder layouts in <root>/train and <root>/val.

Options:
  --root DIR   target directory
  -h, --help   show this help
`;

const NAMES = ['cifar10', 'cifar100', 'fashion-mnist'] as const;
const FASHION_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';
// MD5s as published with the dataset (and listed by torchvision).
const FASHION_FILES: Array<[string, string]> = [
  ['train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'],
  ['train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'],
  ['t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'],
  ['t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310'],
];

async function list(io: Io): Promise<number> {
  const ds = await import('@residual/datasets');
  const rows: string[] = [];
  for (const name of NAMES) {
    let where = 'not found';
    try {
      if (name === 'fashion-mnist') {
        const t = await ds.FashionMNIST.load({ split: 'test' });
        where = `found (${t.length} test images)`;
      } else {
        const root = defaultDatasetRoot(name);
        const C = name === 'cifar10' ? ds.CIFAR10 : ds.CIFAR100;
        const t = await C.load({ root, split: 'test', onProgress: false });
        where = `${root} (${t.length} test images)`;
      }
    } catch {
      where = `not found; run 'residual datasets download ${name}'`;
    }
    rows.push(`${name.padEnd(14)} ${where}`);
  }
  const im = defaultDatasetRoot('imagenet');
  rows.push(`${'imagenet'.padEnd(14)} ${existsSync(join(im, 'train')) ? im : `not found (ImageFolder layouts expected in ${im}/train and ${im}/val)`}`);
  io.out(rows.join('\n') + '\n');
  return 0;
}

async function download(name: string, root: string | undefined, io: Io): Promise<number> {
  if (!(NAMES as readonly string[]).includes(name)) throw unknownName('dataset', name, NAMES, 'downloadable: cifar10, cifar100, fashion-mnist');
  const ds = await import('@residual/datasets');
  const dir = root ?? defaultDatasetRoot(name as (typeof NAMES)[number]);
  if (name === 'fashion-mnist') {
    if (!root && existsSync(join(ds.DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'))) {
      io.out(`fashion-mnist is installed at ${ds.DEBIAN_FASHION_MNIST_DIR} (Debian's dataset-fashion-mnist); nothing to download\n`);
      return 0;
    }
    for (const [file, md5] of FASHION_FILES) {
      const dest = join(dir, file);
      if (existsSync(dest)) continue;
      await ds.downloadFile(FASHION_URL + file, dest, { md5 });
    }
    const t = await ds.FashionMNIST.load({ root: dir, split: 'test' });
    io.out(`fashion-mnist ready in ${dir} (${t.length} test images)\n`);
    return 0;
  }
  const C = name === 'cifar10' ? ds.CIFAR10 : ds.CIFAR100;
  try {
    const train = await C.load({ root: dir, split: 'train', download: true });
    const test = await C.load({ root: dir, split: 'test' });
    io.out(`${name} ready in ${dir} (${train.length} train, ${test.length} test images)\n`);
  } catch (e) {
    throw new CliError(`${name}: download into ${dir} failed (${(e as Error).message}); without internet, copy the archive there by hand`);
  }
  return 0;
}

export const datasetsCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse('datasets', argv, { root: { type: 'string' } }, true);
    const [sub, name, ...rest] = positionals;
    if (rest.length) throw new CliError(`unexpected argument '${rest[0]}' (see 'residual datasets --help')`, 2);
    if (sub === 'list' || sub === undefined) return list(io);
    if (sub === 'download') {
      if (!name) throw new CliError("which dataset? 'residual datasets download cifar10|cifar100|fashion-mnist'", 2);
      return download(name, values.root as string | undefined, io);
    }
    throw unknownName('subcommand', sub, ['list', 'download'], "see 'residual datasets --help'");
  },
};
