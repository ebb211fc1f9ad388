import type { Command } from './command';
import { parse } from '../util/args';
import { zooEntries, type ZooEntry } from '../zoo';

const HELP = `Usage: residual models [--json]

Lists every model of @residual/zoo with its parameter count, multiply-adds for one image at its
native input size, the dataset it is made for and the accuracy its paper or torchvision reports.

Options:
  --json      print a JSON array (one object per model) instead of a table
  -h, --help  show this help
`;

function human(n: number | undefined, unit = ''): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G${unit}`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M${unit}`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K${unit}`;
  return `${n}${unit}`;
}

function pct(v: number | undefined): string {
  return v === undefined ? '-' : `${(v * (v <= 1 ? 100 : 1)).toFixed(2)}%`;
}

/** Renders the registry as an aligned text table. */
export function modelsTable(entries: ZooEntry[]): string {
  const rows = [
    ['model', 'params', 'mult-adds', 'input', 'dataset', 'ref. top-1'],
    ...entries.map((e) => [
      e.name,
      human(e.params),
      human(e.macs),
      e.inputSize ? `${e.inputSize}x${e.inputSize}` : '-',
      e.dataset ?? '-',
      pct(e.top1),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n') + '\n';
}

export const modelsCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const { values } = parse('models', argv, { json: { type: 'boolean' } });
    const entries = zooEntries();
    if (values.json) io.out(JSON.stringify(entries, null, 2) + '\n');
    else io.out(modelsTable(entries));
    return 0;
  },
};
