/** The report's whole stylesheet: light and dark schemes, print rules; no fonts or images from anywhere. */
export const reportCss = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa; --code: #eff2f5;
  --accent: #0969da; --passed: #1a7f37; --failed: #cf222e; --error: #bc4c00; --skipped: #6e7781; --flaky: #8250df;
  --grid: #e6eaef;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --panel: #151b23; --code: #1f2630;
    --accent: #4493f8; --passed: #3fb950; --failed: #f85149; --error: #db6d28; --skipped: #9198a1; --flaky: #ab7df8;
    --grid: #262c36;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h1 small, h2 small { color: var(--muted); font-weight: normal; font-size: 0.75em; margin-left: 6px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
code { background: var(--code); padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
.meta, .where, .more, .empty, footer { color: var(--muted); }
.ok { color: var(--passed); }
.summary { border: 1px solid var(--border); border-left: 6px solid var(--skipped); border-radius: 8px; padding: 16px 20px; background: var(--panel); }
.summary.status-passed { border-left-color: var(--passed); }
.summary.status-failed, .summary.status-interrupted { border-left-color: var(--failed); }
.summary.status-error { border-left-color: var(--error); }
.stats { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 12px; }
.stat { min-width: 92px; padding: 8px 12px; border: 1px solid var(--border); border-radius: 6px; background: var(--bg); }
.stat .value { display: block; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.stat .label { color: var(--muted); font-size: 12px; }
.stat.passed .value { color: var(--passed); } .stat.failed .value { color: var(--failed); }
.stat.error .value { color: var(--error); } .stat.skipped .value { color: var(--skipped); } .stat.flaky .value { color: var(--flaky); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: var(--skipped); vertical-align: 1px; }
.badge.passed, .badge.online { background: var(--passed); }
.badge.failed, .badge.interrupted { background: var(--failed); }
.badge.error { background: var(--error); }
.badge.running { background: var(--accent); }
.badge.offline { background: var(--skipped); }
figure { margin: 0 0 16px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { width: 100%; height: auto; max-height: 260px; display: block; }
svg.chart .grid { stroke: var(--grid); stroke-width: 1; }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
svg.chart .line { fill: none; stroke: var(--accent); stroke-width: 2; }
svg.chart.duration .line { stroke: var(--flaky); }
svg.chart .point { fill: var(--accent); stroke: var(--bg); stroke-width: 1.5; }
svg.chart.duration .point { fill: var(--flaky); }
svg.chart .point.missing { fill: var(--bg); stroke: var(--muted); }
svg.chart text { fill: var(--muted); font-size: 11px; font-family: inherit; }
svg.chart .axis-title { fill: var(--fg); font-size: 12px; }
details.failure { border: 1px solid var(--border); border-radius: 6px; margin: 6px 0; background: var(--panel); }
details.failure > summary { cursor: pointer; padding: 8px 12px; list-style-position: outside; margin-left: 14px; }
details.failure .message { display: block; color: var(--failed); margin-top: 2px; overflow-wrap: anywhere; white-space: pre-wrap; }
details.failure .where { margin: 0 12px; font-size: 12px; }
pre.traceback { margin: 8px 12px 12px; padding: 10px; background: var(--code); border-radius: 6px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 480px; overflow-y: auto; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td .message { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.num { text-align: right; white-space: nowrap; }
footer { margin-top: 40px; font-size: 12px; }
@media print {
  :root { --bg: #fff; --fg: #000; --muted: #444; --border: #bbb; --panel: #fff; --code: #f3f3f3; --grid: #ddd; }
  @page { margin: 14mm; }
  html, body { background: #fff; color: #000; }
  body { font-size: 11px; }
  main { max-width: none; padding: 0; }
  .badge { color: #000; background: none !important; border: 1px solid #000; }
  section, figure, tr, details { break-inside: avoid; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
  pre.traceback { max-height: none; overflow: visible; }
  details::details-content { content-visibility: visible; display: contents; }
}
`;
