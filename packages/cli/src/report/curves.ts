/** One line of a chart: name, colour and (x, y) points. */
interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
}

function panel(x0: number, y0: number, w: number, h: number, title: string, series: Series[], yLabel: string): string {
  const pts = series.flatMap((s) => s.points);
  if (!pts.length) return '';
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs, xMin + 1);
  const yMin = Math.min(0, ...ys);
  const yMax = Math.max(...ys) * 1.05 || 1;
  const px = (x: number) => x0 + 50 + ((x - xMin) / (xMax - xMin)) * (w - 60);
  const py = (y: number) => y0 + h - 30 - ((y - yMin) / (yMax - yMin)) * (h - 60);
  const out: string[] = [
    `<text x="${x0 + w / 2}" y="${y0 + 18}" text-anchor="middle" font-weight="bold">${title}</text>`,
    `<rect x="${x0 + 50}" y="${y0 + 30}" width="${w - 60}" height="${h - 60}" fill="none" stroke="#999"/>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const y = yMin + ((yMax - yMin) * t) / 4;
    out.push(`<text x="${x0 + 45}" y="${py(y) + 4}" text-anchor="end" font-size="11">${y.toFixed(y < 10 ? 2 : 0)}</text>`);
  }
  out.push(`<text x="${x0 + 50}" y="${y0 + h - 12}" font-size="11">epoch ${xMin}</text>`);
  out.push(`<text x="${x0 + w - 10}" y="${y0 + h - 12}" font-size="11" text-anchor="end">epoch ${xMax}</text>`);
  out.push(`<text x="${x0 + 12}" y="${y0 + h / 2}" font-size="11" transform="rotate(-90 ${x0 + 12} ${y0 + h / 2})" text-anchor="middle">${yLabel}</text>`);
  series.forEach((s, i) => {
    if (!s.points.length) return;
    const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    s.points.forEach(([x, y]) => out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`));
    out.push(`<text x="${x0 + 60}" y="${y0 + 46 + i * 14}" font-size="11" fill="${s.color}">${s.name}</text>`);
  });
  return out.join('\n');
}

/**
 * Training curves as a standalone SVG: loss (train/val) and top-1 error in % (train/val) per epoch,
 * the way He et al. plot them.
 *
 * @example
 * ```ts
 * import { curvesSvg } from '@residual/cli';
 * writeFileSync('curves.svg', curvesSvg([{ epoch: 1, train_loss: 2.1, val_loss: 1.9, train_acc1: 0.3, val_acc1: 0.35 }]));
 * ```
 */
export function curvesSvg(history: Array<Record<string, number | undefined>>, title = 'training curves'): string {
  const pick = (key: string, f: (v: number) => number = (v) => v): Array<[number, number]> =>
    history.filter((r) => typeof r[key] === 'number' && Number.isFinite(r[key])).map((r) => [r.epoch as number, f(r[key] as number)]);
  const err = (v: number) => 100 * (1 - v);
  const W = 900;
  const H = 340;
  const body = [
    panel(0, 30, W / 2, H - 30, 'loss', [
      { name: 'train', color: '#1f77b4', points: pick('train_loss') },
      { name: 'val', color: '#d62728', points: pick('val_loss') },
    ], 'cross-entropy'),
    panel(W / 2, 30, W / 2, H - 30, 'top-1 error (%)', [
      { name: 'train', color: '#1f77b4', points: pick('train_acc1', err) },
      { name: 'val', color: '#d62728', points: pick('val_acc1', err) },
    ], 'error %'),
  ].join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="20" text-anchor="middle" font-size="15">${title.replace(/[<&]/g, '')}</text>
${body}
</svg>
`;
}
