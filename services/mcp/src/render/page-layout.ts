import { html, raw, type Raw } from './escape.js';
import { formatTime } from './format.js';
import type { PageLinks } from './links.js';
import { pageCss } from './page-css.js';
import { REPORT_CSP } from './report-csp.js';
import { reportCss } from './report-css.js';

/** One step of the breadcrumb trail; the last one is the page itself (no link). */
export interface Crumb {
  label: Raw | string;
  href?: string | undefined;
}

export interface PageShell {
  /** What the page is, e.g. `Run 0b6f… of demo`; " — pytest-platform" is added. */
  title: string;
  crumbs: readonly Crumb[];
  body: Raw | readonly Raw[];
  links: PageLinks;
  /** When the page was made (ISO), shown in the footer. */
  generatedAt: string;
}

/** A rendered page: the HTML and its UTF-8 size. */
export interface RenderedPage {
  html: string;
  bytes: number;
}

/** The skip link and the site navigation every page and the report share. */
export function siteHeader(links: PageLinks): Raw {
  return html`<a class="skip" href="#content">Skip to content</a>
<header class="site"><nav aria-label="Site"><a class="brand" href="${links.home()}">pytest-platform</a><a href="${links.home()}">Projects</a><a href="${links.workers()}">Workers</a></nav></header>`;
}

/** Where the page sits: each step a link, the last one the page itself. */
export function breadcrumbs(crumbs: readonly Crumb[]): Raw {
  const trail = crumbs.map((crumb, i) =>
    i === crumbs.length - 1 || !crumb.href ? html`<li${i === crumbs.length - 1 ? raw(' aria-current="page"') : ''}>${crumb.label}</li>` : html`<li><a href="${crumb.href}">${crumb.label}</a></li>`,
  );
  return html`<nav class="crumbs" aria-label="Breadcrumb"><ol>${trail}</ol></nav>`;
}

/** The `<head>` of every page and report: the title, the CSP that allows no script and no external asset, the CSS. */
export function documentHead(title: string): Raw {
  return html`<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${raw(REPORT_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="pytest-platform">
<title>${title}</title>
<style>${raw(reportCss)}${raw(pageCss)}</style>
</head>`;
}

/** The HTML document around a page: the report's CSS and CSP, no script, no external asset. */
export function renderPage(page: PageShell): RenderedPage {
  const document = html`<!doctype html>
<html lang="en">
${documentHead(`${page.title} — pytest-platform`)}
<body>
${siteHeader(page.links)}
<main id="content">
${page.crumbs.length > 0 ? breadcrumbs(page.crumbs) : ''}
${page.body}
<footer>Generated ${formatTime(page.generatedAt)} by pytest-platform from the read API.</footer>
</main>
</body>
</html>
`.value;
  return { html: document, bytes: Buffer.byteLength(document) };
}
