import { nodeBuiltin } from '@residual/tensor';
import { writeFileAtomic } from '../checkpoint/atomic';
import type { EpochRecord } from '../observe/history';
import { esc, renderPanel, type Panel } from './svg';

// Node built-ins are loaded at call time: browser bundles of this package never resolve them.
const nodeFs = () => nodeBuiltin('node:fs', 'plot files');
const nodePath = () => nodeBuiltin('node:path', 'plot files');

/** Options of {@link plotHistory}. */
export interface PlotHistoryOptions {
  /** Write `<out>.svg` and `<out>.png` (a trailing `.svg`/`.png` is ignored). */
  out?: string;
  /** Title above the charts. */
  title?: string;
  /** Horizontal axis: `'epoch'` (default) or `'iteration'` (as the paper's curves). */
  x?: 'epoch' | 'iteration';
  /** Plot top-1 error in % (the paper's figures; default) or top-1 accuracy in %. */
  accuracyAs?: 'error' | 'accuracy';
  /** Size of each panel in pixels (default 360×260). */
  panelWidth?: number;
  panelHeight?: number;
  /** Also render PNG (default true; needs sharp). */
  png?: boolean;
}

/** The rendered charts. */
export interface PlotHistoryResult {
  svg: string;
  png?: Buffer;
  files: string[];
}

// sharp (libvips) is Node-only: loaded when a PNG is asked for, through a specifier held in a variable so
// browser bundlers leave it out of a bundle that only draws SVG.
const importSharp = (): Promise<{ default: typeof import('sharp') }> => {
  const specifier = 'sharp';
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier) as Promise<{ default: typeof import('sharp') }>;
};

const TRAIN = '#1f77b4';
const VAL = '#d62728';

/**
 * Draw loss, top-1 error (or accuracy) and learning-rate curves, train vs val, as SVG and PNG (PNG
 * rendered from the SVG by sharp).
 *
 * @example
 * ```ts
 * import { fit, plotHistory } from '@residual/train';
 * const { history } = await fit({ ... });
 * await plotHistory(history, { out: 'runs/resnet20/curves', title: 'ResNet-20 on CIFAR-10' });
 * // runs/resnet20/curves.svg and runs/resnet20/curves.png
 * ```
 */
export async function plotHistory(history: EpochRecord[], options: PlotHistoryOptions = {}): Promise<PlotHistoryResult> {
  const xKey = options.x ?? 'epoch';
  const asError = (options.accuracyAs ?? 'error') === 'error';
  const pts = (key: string, f: (v: number) => number = (v) => v): Array<[number, number]> =>
    history.filter((r) => typeof r[key] === 'number').map((r) => [r[xKey] as number, f(r[key] as number)]);
  const acc = (v: number): number => (asError ? 100 * (1 - v) : 100 * v);
  const xLabel = xKey === 'epoch' ? 'epoch' : 'iteration';
  const panels: Panel[] = [
    { title: 'Loss', yLabel: 'cross-entropy', xLabel, series: [
      { label: 'train', color: TRAIN, points: pts('train_loss') },
      { label: 'val', color: VAL, points: pts('val_loss') },
    ] },
    { title: asError ? 'Top-1 error' : 'Top-1 accuracy', yLabel: asError ? 'error (%)' : 'accuracy (%)', xLabel, series: [
      { label: 'train', color: TRAIN, dashed: true, points: pts('train_acc1', acc) },
      { label: 'val', color: VAL, points: pts('val_acc1', acc) },
    ] },
    { title: 'Learning rate', yLabel: 'lr', xLabel, logY: true, series: [{ label: 'lr', color: '#2ca02c', points: pts('lr') }] },
  ];
  return plotPanels(panels, options);
}

/** Options of {@link plotPanels}: where to write, the title, the panel size, PNG or not. */
export type PlotPanelsOptions = Pick<PlotHistoryOptions, 'out' | 'title' | 'panelWidth' | 'panelHeight' | 'png'>;

/**
 * Draw chart panels side by side as SVG (and PNG, rendered from the SVG by sharp): the renderer behind
 * {@link plotHistory}, for other curves (a sweep's per-variant error curves).
 *
 * @example
 * ```ts
 * import { plotPanels } from '@residual/train';
 * await plotPanels([{ title: 'Top-1 error', xLabel: 'iteration', yLabel: 'error (%)',
 *   series: [{ label: 'resnet20 test', color: '#d62728', points: [[100, 60], [200, 45]] }] }], { out: 'runs/curves' });
 * ```
 */
export async function plotPanels(panels: Panel[], options: PlotPanelsOptions = {}): Promise<PlotHistoryResult> {
  const pw = options.panelWidth ?? 360;
  const ph = options.panelHeight ?? 260;
  const top = options.title ? 30 : 0;
  const width = pw * panels.length;
  const height = ph + top;
  const body = panels.map((p, i) => renderPanel(p, i * pw, top, pw, ph)).join('');
  const title = options.title
    ? `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${esc(options.title)}</text>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif"><rect width="100%" height="100%" fill="white"/>${title}${body}</svg>`;
  const result: PlotHistoryResult = { svg, files: [] };
  if (options.png ?? true) {
    const { default: sharp } = await importSharp();
    result.png = await sharp(Buffer.from(svg)).png().toBuffer();
  }
  if (options.out) {
    const stem = options.out.replace(/\.(svg|png)$/i, '');
    nodeFs().mkdirSync(nodePath().dirname(stem) || '.', { recursive: true });
    writeFileAtomic(`${stem}.svg`, svg);
    result.files.push(`${stem}.svg`);
    if (result.png) {
      writeFileAtomic(`${stem}.png`, result.png);
      result.files.push(`${stem}.png`);
    }
  }
  return result;
}

