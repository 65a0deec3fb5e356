// A bar chart as inline SVG: no script, no image, readable without CSS (a title per bar).
import { formatMoney } from '../../core/money.js';
import { esc } from '../html.js';

export interface BarPoint {
  label: string;
  value: number;
}

/** Bars scaled to the largest value; `currency` formats each bar's title. */
export function barChart(points: readonly BarPoint[], currency: string, title: string): string {
  const width = 600;
  const height = 160;
  const bottom = 20;
  const max = Math.max(1, ...points.map((p) => p.value));
  const step = width / Math.max(1, points.length);
  const bars = points.map((p, i) => {
    // heights are drawn, never summed: a float here changes no figure
    const h = Math.round(((height - bottom) * p.value) / max);
    return `<rect class="bar" x="${(i * step + 1).toFixed(1)}" y="${height - bottom - h}" width="${Math.max(1, step - 2).toFixed(1)}" height="${h}"><title>${esc(p.label)}: ${esc(formatMoney(p.value, currency))}</title></rect>`;
  });
  const first = points[0]?.label ?? '';
  const last = points.at(-1)?.label ?? '';
  return `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">
<line class="axis" x1="0" y1="${height - bottom}" x2="${width}" y2="${height - bottom}"/>
${bars.join('\n')}
<text x="0" y="${height - 5}">${esc(first)}</text><text x="${width}" y="${height - 5}" text-anchor="end">${esc(last)}</text>
</svg>`;
}
