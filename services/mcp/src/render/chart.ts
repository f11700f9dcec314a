import { html, type Raw } from './escape.js';

interface ChartPoint {
  /** `null` draws a hollow marker on the baseline: the run has no value (e.g. nothing executed). */
  value: number | null;
  /** Tooltip text (escaped). */
  title: string;
  /** Label under the x axis; shown for the first, last and a few points between. */
  label: string;
}

export interface LineChartOptions {
  title: string;
  yAxisTitle: string;
  xAxisTitle: string;
  points: readonly ChartPoint[];
  yMax: number;
  /** Formats a y tick value. */
  formatY: (value: number) => string;
  /** @defaultValue 4 */
  yTickCount?: number;
  className?: string;
}

const W = 720;
const H = 240;
const M = { left: 64, right: 20, top: 16, bottom: 48 };
const round = (n: number) => Math.round(n * 10) / 10;

/** A line chart as inline SVG: one `<circle class="point">` per point, gridlines and labelled axes. */
export function lineChart(options: LineChartOptions): Raw {
  const { points, yMax } = options;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const ticks = options.yTickCount ?? 4;
  const x = (i: number) => round(points.length <= 1 ? M.left + plotW / 2 : M.left + (i * plotW) / (points.length - 1));
  const y = (v: number) => round(M.top + plotH * (1 - Math.min(Math.max(v / yMax, 0), 1)));
  const baseline = M.top + plotH;

  const grid = Array.from({ length: ticks + 1 }, (_, i) => {
    const value = (yMax * i) / ticks;
    const ty = y(value);
    return html`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${ty}" y2="${ty}"/><text class="tick" x="${M.left - 8}" y="${ty + 4}" text-anchor="end">${options.formatY(value)}</text>`;
  });

  let path = '';
  let pen = false;
  points.forEach((point, i) => {
    if (point.value === null) {
      pen = false;
      return;
    }
    path += `${pen ? 'L' : 'M'}${x(i)},${y(point.value)}`;
    pen = true;
  });

  const labelEvery = Math.max(1, Math.ceil(points.length / 6));
  const xLabels = points.map((point, i) => {
    const show = i === 0 || i === points.length - 1 || (i % labelEvery === 0 && points.length - 1 - i >= labelEvery / 2);
    return show ? html`<text class="tick" x="${x(i)}" y="${baseline + 18}" text-anchor="middle">${point.label}</text>` : '';
  });

  const circles = points.map((point, i) =>
    point.value === null
      ? html`<circle class="point missing" cx="${x(i)}" cy="${baseline}" r="3.5"><title>${point.title}</title></circle>`
      : html`<circle class="point" cx="${x(i)}" cy="${y(point.value)}" r="3.5"><title>${point.title}</title></circle>`,
  );

  return html`<svg class="chart ${options.className ?? ''}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${options.title}" xmlns="http://www.w3.org/2000/svg">
<title>${options.title}</title>
${grid}
<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${baseline}"/>
<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${baseline}" y2="${baseline}"/>
${path ? html`<path class="line" d="${path}"/>` : ''}
${circles}
${xLabels}
<text class="axis-title" x="${M.left + plotW / 2}" y="${H - 6}" text-anchor="middle">${options.xAxisTitle}</text>
<text class="axis-title" transform="translate(14 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${options.yAxisTitle}</text>
</svg>`;
}

export const emptyChart = (message: string): Raw => html`<p class="empty">${message}</p>`;
