// The scaling curves as an SVG (plain text, no library): one column per axis (partitions,
// entries, grub.cfg size), reading time on top and the memory the input costs below, both
// on log-log scales. The dashed line is what linear growth would look like through the
// largest measurement: a curve that stays on or above it towards the small sizes grows no
// faster than linearly.
import type { ScaleAxis, ScalePoint } from './scale';

const W = 300;
const H = 210;
const PAD = { left: 58, right: 14, top: 34, bottom: 40 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  // 1-2-5 steps for a short range, powers of ten for a long one.
  const steps = Math.log10(hi / lo) > 3 ? [1] : [1, 2, 5];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of steps) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

function fmt(v: number): string {
  if (v >= 1000) return `${v / 1000}k`;
  if (v >= 1) return `${+v.toPrecision(3)}`;
  return `${+v.toPrecision(2)}`;
}

function panel(x0: number, y0: number, title: string, xLabel: string, yLabel: string, points: readonly ScalePoint[], value: (p: ScalePoint) => number, colour: string): string {
  const pts = points.map((p) => ({ x: p.size, y: Math.max(value(p), 1e-3), label: p.label }));
  const big = pts[pts.length - 1]!;
  const xs = pts.map((p) => p.x);
  const linear = (x: number) => (big.y * x) / big.x;
  const ys = [...pts.map((p) => p.y), linear(xs[0]!)];
  const xLo = Math.min(...xs) / 1.5;
  const xHi = Math.max(...xs) * 1.5;
  const yLo = Math.min(...ys) / 1.6;
  const yHi = Math.max(...ys) * 1.6;
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const sx = (x: number) => x0 + PAD.left + ((Math.log(x) - Math.log(xLo)) / (Math.log(xHi) - Math.log(xLo))) * pw;
  const sy = (y: number) => y0 + PAD.top + ph - ((Math.log(y) - Math.log(yLo)) / (Math.log(yHi) - Math.log(yLo))) * ph;
  const out: string[] = [];
  out.push(`<text x="${x0 + W / 2}" y="${y0 + 16}" text-anchor="middle" class="title">${esc(title)}</text>`);
  out.push(`<rect x="${x0 + PAD.left}" y="${y0 + PAD.top}" width="${pw}" height="${ph}" class="frame"/>`);
  for (const t of niceTicks(yLo, yHi)) {
    out.push(`<line x1="${x0 + PAD.left}" x2="${x0 + PAD.left + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" class="grid"/>`);
    out.push(`<text x="${x0 + PAD.left - 4}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const p of pts) {
    out.push(`<text x="${sx(p.x).toFixed(1)}" y="${y0 + PAD.top + ph + 14}" text-anchor="middle">${esc(p.label)}</text>`);
  }
  out.push(`<text x="${x0 + PAD.left + pw / 2}" y="${y0 + H - 6}" text-anchor="middle" class="axis">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(${x0 + 14} ${y0 + PAD.top + ph / 2}) rotate(-90)" text-anchor="middle" class="axis">${esc(yLabel)}</text>`);
  out.push(`<line x1="${sx(xs[0]!).toFixed(1)}" y1="${sy(linear(xs[0]!)).toFixed(1)}" x2="${sx(big.x).toFixed(1)}" y2="${sy(big.y).toFixed(1)}" class="linear"/>`);
  out.push(`<polyline points="${pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
  for (const p of pts) out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${colour}"><title>${esc(`${p.label}: ${+p.y.toPrecision(3)} ${yLabel}`)}</title></circle>`);
  return out.join('\n');
}

export function scalingSvg(axes: readonly ScaleAxis[]): string {
  const width = W * axes.length;
  const height = H * 2 + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    '<style>.title{font-weight:bold;font-size:12px}.axis{fill:#444}.frame{fill:#fff;stroke:#999}.grid{stroke:#e4e4e4}.linear{stroke:#999;stroke-dasharray:5 4}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  axes.forEach((a, i) => {
    const short = a.name.replace(/ \(.*$/, '');
    parts.push(panel(i * W, 0, `${short}: reading time`, a.unit, 'ms', a.points, (p) => p.scanMs.median, '#1f77b4'));
    parts.push(panel(i * W, H, `${short}: memory for the input`, a.unit, 'MB', a.points, (p) => p.extraMb.median, '#d62728'));
  });
  parts.push(`<text x="8" y="${height - 10}" class="axis">log-log scales; dashed: linear growth through the largest size (a curve above it towards the left grows slower than linearly)</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
