/** One line of a chart. */
export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: Array<[number, number]>;
}

/** One chart panel. */
export interface Panel {
  title: string;
  yLabel: string;
  xLabel: string;
  logY?: boolean;
  series: Series[];
}

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round numbers for axis ticks (1, 2, 5 × 10^k). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(4)));
}

/** Render one panel at (x0, y0) of size w×h as SVG elements. */
export function renderPanel(p: Panel, x0: number, y0: number, w: number, h: number): string {
  const m = { l: 58, r: 12, t: 28, b: 42 };
  const pw = w - m.l - m.r;
  const ph = h - m.t - m.b;
  const pts = p.series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!p.logY || y > 0));
  const parts: string[] = [`<g transform="translate(${x0},${y0})">`, `<text x="${w / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(p.title)}</text>`];
  if (pts.length === 0) {
    parts.push(`<text x="${w / 2}" y="${h / 2}" text-anchor="middle" font-size="12">no data</text></g>`);
    return parts.join('');
  }
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => (p.logY ? Math.log10(y) : y));
  let [xlo, xhi] = [Math.min(...xs), Math.max(...xs)];
  let [ylo, yhi] = [Math.min(...ys), Math.max(...ys)];
  if (xhi === xlo) [xlo, xhi] = [xlo - 1, xhi + 1];
  if (yhi === ylo) [ylo, yhi] = [ylo - (Math.abs(ylo) || 1) * 0.1, yhi + (Math.abs(yhi) || 1) * 0.1];
  const pad = (yhi - ylo) * 0.05;
  ylo -= pad;
  yhi += pad;
  const X = (x: number): number => m.l + ((x - xlo) / (xhi - xlo)) * pw;
  const Y = (y: number): number => m.t + ph - (((p.logY ? Math.log10(y) : y) - ylo) / (yhi - ylo)) * ph;
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  for (const t of niceTicks(xlo, xhi)) {
    parts.push(`<line x1="${X(t)}" y1="${m.t + ph}" x2="${X(t)}" y2="${m.t + ph + 4}" stroke="#444"/>`);
    parts.push(`<text x="${X(t)}" y="${m.t + ph + 16}" text-anchor="middle" font-size="11">${fmt(t)}</text>`);
  }
  const yt = p.logY ? niceTicks(Math.floor(ylo), Math.ceil(yhi), 4).filter((e) => Number.isInteger(e) && e >= ylo && e <= yhi).map((e) => 10 ** e) : niceTicks(ylo, yhi);
  for (const t of yt) {
    const y = Y(t);
    parts.push(`<line x1="${m.l}" y1="${y}" x2="${m.l + pw}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 6}" y="${y + 4}" text-anchor="end" font-size="11">${fmt(t)}</text>`);
  }
  parts.push(`<text x="${m.l + pw / 2}" y="${h - 8}" text-anchor="middle" font-size="12">${esc(p.xLabel)}</text>`);
  parts.push(`<text transform="translate(14,${m.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(p.yLabel)}</text>`);
  p.series.forEach((s, i) => {
    const ok = s.points.filter(([, y]) => Number.isFinite(y) && (!p.logY || y > 0));
    if (ok.length === 0) return;
    const d = ok.map(([x, y], j) => `${j ? 'L' : 'M'}${X(x).toFixed(2)},${Y(y).toFixed(2)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    if (ok.length === 1) parts.push(`<circle cx="${X(ok[0][0])}" cy="${Y(ok[0][1])}" r="2.5" fill="${s.color}"/>`);
    const ly = m.t + 14 + i * 16;
    parts.push(`<line x1="${m.l + pw - 92}" y1="${ly - 4}" x2="${m.l + pw - 72}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    parts.push(`<text x="${m.l + pw - 68}" y="${ly}" font-size="11">${esc(s.label)}</text>`);
  });
  parts.push('</g>');
  return parts.join('');
}
