/** What the pages add to the report's stylesheet: navigation, links, focus, forms, pagers, the outcome strip. */
export const pageCss = `
a { color: var(--accent); text-underline-offset: 2px; }
a:focus-visible, summary:focus-visible, input:focus-visible, select:focus-visible, button:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px; border-radius: 3px;
}
.skip { position: absolute; left: -10000px; top: 8px; }
.skip:focus { left: 12px; z-index: 1; background: var(--bg); padding: 4px 8px; }
header.site { border-bottom: 1px solid var(--border); background: var(--panel); }
header.site nav { max-width: 1100px; margin: 0 auto; padding: 8px 20px; display: flex; flex-wrap: wrap; gap: 4px 18px; align-items: center; }
header.site .brand { font-weight: 700; color: var(--fg); text-decoration: none; margin-right: 8px; }
nav.crumbs ol { list-style: none; margin: 0 0 12px; padding: 0; display: flex; flex-wrap: wrap; gap: 4px; color: var(--muted); }
nav.crumbs li + li::before { content: "›"; margin-right: 4px; }
nav.crumbs li { overflow-wrap: anywhere; }
.age { color: var(--muted); white-space: nowrap; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.nodeid { overflow-wrap: anywhere; word-break: break-word; }
h1 .nodeid { font-size: 18px; }
.badge.new, .badge.newly_failing { background: var(--failed); }
.badge.recurring { background: var(--error); }
.badge.flaky, .badge.xpassed { background: var(--flaky); }
.badge.fixed { background: var(--passed); }
@media (prefers-color-scheme: dark) { .badge { color: #0d1117; } }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; margin: 8px 0 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
input, select, button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--border); border-radius: 6px; padding: 4px 8px; }
button { cursor: pointer; background: var(--panel); }
.pager { display: flex; flex-wrap: wrap; gap: 16px; margin: 12px 0; color: var(--muted); }
.strip { display: flex; flex-wrap: wrap; gap: 3px; margin: 8px 0; }
.strip a { display: block; width: 24px; height: 24px; border-radius: 4px; background: var(--skipped); }
.strip a.passed, .strip a.xfailed { background: var(--passed); }
.strip a.failed { background: var(--failed); }
.strip a.error { background: var(--error); }
.strip a.xpassed { background: var(--flaky); }
.legend { color: var(--muted); font-size: 12px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
svg.spark { width: 120px; height: 28px; vertical-align: middle; }
svg.spark polyline { fill: none; stroke: var(--accent); stroke-width: 1.5; stroke-linecap: round; stroke-linejoin: round; }
svg.spark line { stroke: var(--grid); stroke-width: 1; }
.failure-item { border: 1px solid var(--border); border-radius: 6px; margin: 8px 0; padding: 8px 12px; background: var(--panel); }
.failure-item p { margin: 2px 0; }
.failure-item .message { color: var(--failed); white-space: pre-wrap; overflow-wrap: anywhere; }
.failure-item .where { color: var(--muted); font-size: 12px; }
.failure-item summary { cursor: pointer; color: var(--muted); width: max-content; }
.failure-item pre.traceback { margin: 8px 0 4px; }
.error-page { max-width: 640px; }
@media print { header.site, form.filters, .pager, .skip { display: none; } }
`;
