import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRedisClient } from '@pytest-platform/redis';
import { ApiClient } from '../api-client.js';
import { loadDigestData } from './digest-data.js';
import { ConfigError, loadConfig, type McpConfig } from '../env.js';
import { createLogger } from '../logger.js';
import { runDigest } from './mail-jobs.js';
import { createMailer } from './mailer.js';
import { renderDigestEmail } from './email-digest.js';

const DIGEST_HELP = `Usage: pytest-platform-mcp digest (--send-now | --preview <out.html>) [--project <name>]

  --send-now           render and send the digest now, one message per DIGEST_TO recipient
                       (logged instead of sent when SMTP_URL is unset)
  --preview <file>     write the digest HTML to <file> and its text part next to it (.txt); sends nothing
  --project <name>     only this project (repeatable); default DIGEST_PROJECTS, else every project

Environment: API_URL, API_TOKEN, REDIS_URL, SMTP_URL, MAIL_FROM, DIGEST_TO, DIGEST_PROJECTS, PUBLIC_URL, QUEUE_PREFIX.
`;

const fail = (line: string) => process.stderr.write(`pytest-platform digest: ${line}\n`);

async function projectsFor(api: ApiClient, config: McpConfig, given: string[]): Promise<string[]> {
  if (given.length > 0) return given;
  if (config.mail.digestProjects.length > 0) return config.mail.digestProjects;
  return api.projects();
}

/** `pytest-platform-mcp digest …`; resolves to the exit code. */
export async function digestMain(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'send-now': { type: 'boolean', default: false },
        preview: { type: 'string' },
        project: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n\n${DIGEST_HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(DIGEST_HELP);
    return 0;
  }
  if (values['send-now'] === (values.preview !== undefined)) {
    fail(`give exactly one of --send-now and --preview <file>\n\n${DIGEST_HELP}`);
    return 2;
  }
  let config: McpConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail(error.message);
    return 2;
  }
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const api = new ApiClient({ apiUrl: config.apiUrl, apiToken: config.apiClientToken, timeoutMs: config.apiTimeoutMs });
  try {
    const projects = await projectsFor(api, config, values.project ?? []);
    if (projects.length === 0) {
      fail('no projects: the API has no runs yet and DIGEST_PROJECTS is empty');
      return 1;
    }
    if (values.preview !== undefined) {
      const project = projects[0] as string;
      const email = await renderDigestEmail(await loadDigestData(api, { project, publicUrl: config.publicUrl }));
      const file = path.resolve(values.preview);
      const textFile = file.replace(/\.html?$/i, '') + '.txt';
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, email.html);
      writeFileSync(textFile, email.text);
      process.stdout.write(`digest of ${project} written to ${file} (text: ${textFile})\nsubject: ${email.subject}\n`);
      return 0;
    }
    const redis = createRedisClient(config.mail.redisUrl, { name: 'mcp-digest-cli' });
    redis.on('error', () => {});
    const mailer = createMailer(config.mail, logger);
    try {
      const jobId = `cli-${randomUUID()}`;
      const result = await runDigest({ config: config.mail, api, redis, mailer, logger, publicUrl: config.publicUrl }, jobId, { projects });
      const how = mailer.logOnly ? 'logged (SMTP_URL is unset)' : 'sent';
      process.stdout.write(`${result.sent} digest message(s) ${how} for ${projects.join(', ')}\n`);
      return 0;
    } finally {
      mailer.close();
      await redis.quit().catch(() => redis.disconnect());
    }
  } catch (error) {
    fail((error as Error).message);
    return 1;
  }
}

const invoked = process.argv[1] && path.resolve(process.argv[1]).replace(/\.[jt]s$/, '') === path.resolve(import.meta.filename).replace(/\.[jt]s$/, '');
if (invoked) {
  const args = process.argv.slice(2);
  process.exitCode = await digestMain(args[0] === 'digest' ? args.slice(1) : args);
}
