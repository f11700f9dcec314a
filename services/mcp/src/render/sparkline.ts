import { html, type Raw } from './escape.js';
import { formatPercent } from './format.js';

const W = 120;
const H = 28;

/** A small pass-rate line (0–100 %) as inline SVG, oldest → newest; runs without a pass rate leave a gap. */
export function sparkline(rates: readonly (number | null)[]): Raw {
  const rated = rates.filter((rate): rate is number => rate !== null);
  if (rated.length === 0) return html`<span class="empty">no pass rate yet</span>`;
  const x = (i: number) => Math.round((rates.length <= 1 ? W / 2 : (i * (W - 4)) / (rates.length - 1) + 2) * 10) / 10;
  const y = (rate: number) => Math.round((H - 3 - rate * (H - 6)) * 10) / 10;
  const lines: string[][] = [[]];
  rates.forEach((rate, i) => {
    if (rate === null) lines.push([]);
    else lines.at(-1)!.push(`${x(i)},${y(rate)}`);
  });
  const label = `Pass rate of the last ${rates.length} runs: ${formatPercent(rated[0])} first, ${formatPercent(rated.at(-1))} last`;
  const segments = lines.filter((points) => points.length > 0).map((points) =>
    points.length === 1 ? html`<polyline points="${points[0]} ${points[0]}"/>` : html`<polyline points="${points.join(' ')}"/>`,
  );
  return html`<svg class="spark" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg"><title>${label}</title><line x1="0" x2="${W}" y1="${H - 3}" y2="${H - 3}"/>${segments}</svg>`;
}
