import { createHash } from 'node:crypto';

const enc = encodeURIComponent;

const query = (params: Record<string, string | null | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : '';
};

/** The element id of a worker's row on the workers page (a worker id may hold any character). */
export const workerAnchor = (workerId: string): string => `worker-${createHash('sha256').update(workerId).digest('hex').slice(0, 16)}`;

/**
 * Where each page of the MCP HTTP service is: `base` is `''` for links inside the pages (relative
 * to the service) or `PUBLIC_URL` for links that leave it (e-mails, tool results).
 */
export class PageLinks {
  constructor(readonly base = '') {}

  home(): string {
    return `${this.base}/`;
  }

  /** The project's page (its report), on one branch when given. */
  project(project: string, branch?: string | null): string {
    return `${this.base}/projects/${enc(project)}${query({ branch })}`;
  }

  run(runId: string): string {
    return `${this.base}/runs/${enc(runId)}`;
  }

  test(project: string, nodeid: string, branch?: string | null): string {
    return `${this.base}/tests${query({ project, nodeid, branch })}`;
  }

  build(project: string, buildId: string): string {
    return `${this.base}/builds/${enc(buildId)}${query({ project })}`;
  }

  compare(base: string, head: string): string {
    return `${this.base}/compare${query({ base, head })}`;
  }

  flaky(project?: string | null, branch?: string | null): string {
    return `${this.base}/flaky${query({ project, branch })}`;
  }

  workers(workerId?: string): string {
    return `${this.base}/workers${workerId === undefined ? '' : `#${workerAnchor(workerId)}`}`;
  }

  /** The report file of a project (`/reports/{project}.html`), kept for links made before the pages. */
  report(project: string, branch?: string | null): string {
    return `${this.base}/reports/${enc(project)}.html${query({ branch })}`;
  }
}

/** Links inside the pages: relative to this service. */
export const relativeLinks = new PageLinks();

/** Links for readers outside the service (e-mails, MCP tool results): `null` without `PUBLIC_URL`. */
export const publicLinks = (publicUrl: string | undefined | null): PageLinks | null => (publicUrl ? new PageLinks(publicUrl.replace(/\/+$/, '')) : null);
