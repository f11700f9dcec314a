import { appendFile, stat } from 'node:fs/promises';
import { summarize } from '@pytest-platform/schema';
import type { Outcome, RunResult, Summary } from '@pytest-platform/schema';
import type { Log } from './deliver-runs.js';
import { stderrLog } from './deliver-runs.js';
import type { ReporterConfig } from './reporter-config.js';
import { firstLine } from './text.js';

const MAX_LISTED = 20;
export const NODEID_CHARS = 300;
export const MESSAGE_CHARS = 200;
const COMMIT_CHARS = 12;

const counts = (summary: Summary) => `${summary.failed + summary.errors} failed, ${summary.passed} passed, ${summary.skipped} skipped`;

/** `<url>/runs/<run_id>`, the url without its trailing slashes; `null` without a url. */
function runUrl(publicUrl: string | null, runId: string): string | null {
  const base = publicUrl?.trim().replace(/\/+$/, '');
  return base ? `${base}/runs/${runId}` : null;
}

/** `text` cut to at most `max` UTF-16 code units, never half a surrogate pair. */
function prefix(text: string, max: number): string {
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** At most `max` characters, a cut ending in `…`. */
export const cutText = (text: string, max: number) => (text.length <= max ? text : `${prefix(text, max - 1)}…`);

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Text from a test as one line of Markdown that cannot break a table or start markup. */
export function markdownText(text: string): string {
  return text
    .replace(/[\r\n\t]/g, ' ')
    .replace(/[&<>]/g, (char) => ENTITIES[char] ?? char)
    .replace(/[\\`*_[\]|~]/g, (char) => `\\${char}`);
}

/**
 * The line every reporter prints on stderr when a run is done:
 * `pytest-platform: run <id> · <failed> failed, <passed> passed, <skipped> skipped → <url>/runs/<id>`
 * (failed counts errors too; no arrow without a url). With `spoolDir`, the run was spooled and the
 * line says why (`reason`) and where instead of linking.
 */
export function endLine(
  run: { run_id: string; summary: Summary },
  options: { publicUrl: string | null; spoolDir: string | null; reason?: string | null },
): string {
  const line = `pytest-platform: run ${run.run_id} · ${counts(run.summary)}`;
  if (options.spoolDir !== null) {
    const reason = options.reason?.replace(/\s+/g, ' ').trim();
    return `${line} · not sent${reason ? ` (${reason})` : ''}: spooled to ${options.spoolDir}, sent by the next run`;
  }
  const url = runUrl(options.publicUrl, run.run_id);
  return url === null ? line : `${line} → ${url}`;
}

/**
 * The run as GitHub-flavoured Markdown for a CI summary: a heading with the counts, the run (linked
 * when `publicUrl` is set), branch, commit and framework, then up to 20 failed or errored tests with
 * the first line of their message. Every piece of text from the run is escaped.
 */
export function markdownSummary(
  run: {
    run_id: string;
    project: string;
    branch: string | null;
    commit: string | null;
    framework: string | null;
    summary: Summary;
    tests: readonly { nodeid: string; outcome: Outcome; message?: string | null }[];
    /** Failed and error tests in all, when `tests` holds only the first of them (a page from the API). */
    failuresTotal?: number;
  },
  options: { publicUrl: string | null },
): string {
  const failedCount = run.summary.failed + run.summary.errors;
  const url = runUrl(options.publicUrl, run.run_id);
  const facts = [`Run ${url === null ? markdownText(run.run_id) : `[${markdownText(run.run_id)}](${url})`}`];
  if (run.branch) facts.push(`branch ${markdownText(run.branch)}`);
  if (run.commit) facts.push(`commit ${markdownText(prefix(run.commit, COMMIT_CHARS))}`);
  if (run.framework) facts.push(markdownText(run.framework));
  let markdown = `### ${failedCount > 0 ? '❌' : '✅'} ${markdownText(run.project)}: ${counts(run.summary)}\n\n${facts.join(' · ')}\n`;

  const failed = run.tests.filter((test) => test.outcome === 'failed' || test.outcome === 'error');
  if (failed.length === 0) return markdown;
  markdown += '\n| Failed test | Message |\n| --- | --- |\n';
  for (const test of failed.slice(0, MAX_LISTED)) {
    const message = firstLine(test.message);
    markdown += `| ${markdownText(cutText(test.nodeid, NODEID_CHARS))} | ${message === null ? '' : markdownText(cutText(message, MESSAGE_CHARS))} |\n`;
  }
  const listed = Math.min(failed.length, MAX_LISTED);
  const total = Math.max(run.failuresTotal ?? 0, failed.length);
  if (total > listed) markdown += `\n…and ${total - listed} more failed tests.\n`;
  return markdown;
}

/**
 * Tells people where a finished run is: the end line on stderr (unless `quiet` and sent), and the Markdown
 * summary appended to `stepSummaryFile` when there is one. `reason` says why a spooled run was not
 * sent. Never throws: a file that cannot be written costs one warning line.
 */
export async function announceRun(
  config: ReporterConfig,
  run: RunResult,
  outcome: 'sent' | 'spooled',
  log: Log = stderrLog,
  reason: string | null = null,
): Promise<void> {
  if (!config.enabled) return;
  const summary = run.summary ?? summarize(run.tests);
  // A spooled run is said even when quiet: it is safe, but not yet where anyone can see it.
  if (outcome === 'spooled' || !config.quiet) {
    log(endLine({ run_id: run.run_id, summary }, { publicUrl: config.publicUrl, spoolDir: outcome === 'spooled' ? config.spoolDir : null, reason }));
  }
  if (config.stepSummaryFile === null) return;
  try {
    // After a blank line when the file has content: several reporters of one job write separate blocks.
    const separator = (await stat(config.stepSummaryFile).catch(() => null))?.size ? '\n' : '';
    await appendFile(config.stepSummaryFile, separator + markdownSummary({ ...run, summary }, { publicUrl: config.publicUrl }), 'utf8');
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    log(`pytest-platform: could not append the run summary to ${config.stepSummaryFile}: ${reason}`);
  }
}
