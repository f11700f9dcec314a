import { html } from './escape.js';
import type { PageLinks } from './links.js';
import { renderPage, type RenderedPage } from './page-layout.js';

const titles: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign in needed',
  404: 'Not found',
  502: 'Results unavailable',
};

/** A page that says why there is nothing to show: what was asked, never what stands behind this service. */
export function renderErrorPage(status: number, message: string, links: PageLinks, generatedAt: string): RenderedPage {
  const title = titles[status] ?? 'Error';
  return renderPage({
    title: `${title} (${status})`,
    crumbs: [],
    links,
    generatedAt,
    body: html`<section class="error-page"><h1>${title}</h1><p>${message}</p><p>${
      status === 502 ? 'Try again in a moment.' : html`Start from <a href="${links.home()}">the projects</a> or <a href="${links.workers()}">the workers</a>.`
    }</p></section>`,
  });
}
