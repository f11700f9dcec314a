import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ciProviders, limits, reporterVariables } from '@pytest-platform/schema';
import type { CiProvider, IdentityCandidate } from '@pytest-platform/schema';

/** Who ran the tests, where, on what code, as part of which CI build. */
export interface RunIdentity {
  project: string;
  branch: string | null;
  commit: string | null;
  worker_id: string;
  /** The CI pipeline / workflow run with its attempt; `null` outside CI. Left out of a hand-built identity: `null`. */
  build_id?: string | null;
  /** `"k/n"` when this run is shard k of n. Left out of a hand-built identity: `null`. */
  shard?: string | null;
  /** `node`, `platform`, and `ci` / `ci_url` when a CI provider was recognised. */
  environment: Record<string, string>;
}

/** Explicit values (reporter options, CLI flags) win over everything the environment says. */
export interface IdentityOverrides {
  project?: string | undefined;
  branch?: string | undefined;
  commit?: string | undefined;
  workerId?: string | undefined;
  buildId?: string | undefined;
  /** `"k/n"`, e.g. the runner's own `--shard`; ignored unless 1 ≤ k ≤ n and n > 1. */
  shard?: string | undefined;
}

/** What git answers in the working directory; `null` where it has no answer. */
export interface GitFacts {
  /** URL of the `origin` remote. */
  remote: string | null;
  /** The repository's top-level directory. */
  toplevel: string | null;
  /** The current branch; `null` when HEAD is detached. */
  branch: string | null;
  commit: string | null;
}

export interface IdentityOptions {
  /** @defaultValue `process.env` */
  env?: NodeJS.ProcessEnv | undefined;
  /** Where git is asked and whose name is the last-resort project. @defaultValue `process.cwd()` */
  cwd?: string | undefined;
  overrides?: IdentityOverrides | undefined;
  /** Git's answers (`null`: not a repository). @defaultValue asks git in `cwd`, only for what is still unknown */
  git?: GitFacts | null | undefined;
  /** @defaultValue `os.hostname()` */
  hostname?: string | undefined;
}

type Env = NodeJS.ProcessEnv;
type Field = 'project' | 'branch' | 'commit' | 'workerId' | 'ciUrl' | 'buildId';

const GIT_TIMEOUT_MS = 1000;
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A value that is set: trimmed, `undefined` when missing or blank. */
const present = (value: string | null | undefined) => (value && value.trim() ? value.trim() : undefined);

/** Fills a `${VAR}` / `${VAR:-default}` template; `undefined` when a `${VAR}` without default is unset or blank. */
function fill(template: string, env: Env): string | undefined {
  let blocked = false;
  const value = template.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const set = present(env[name]);
    if (set !== undefined) return set;
    if (fallback !== undefined) return fallback;
    blocked = true;
    return '';
  });
  return blocked ? undefined : value;
}

/**
 * The repository path of a git URL (`http(s)://[user[:token]@]host/a/b.git`, `ssh://[user@]host[:port]/a/b.git`,
 * `git://host/a/b.git`, scp-like `user@host:a/b.git`), without leading or trailing slashes and without
 * `.git`; `undefined` for anything else (a local path, a bare name, a URL without a path).
 */
export function repositoryPath(url: string): string | undefined {
  const value = url.trim();
  const match = /^(?:https?|ssh|git):\/\/(?:[^@/]*@)?[^/@]+(\/[^?#]*)?(?:[?#].*)?$/i.exec(value)
    ?? /^[^@/\\\s:]+@[^@/\\\s:]+:(?!\/\/)(.+)$/.exec(value);
  const trimmed = match?.[1]?.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '').replace(/\/+$/, '');
  return trimmed ? trimmed : undefined;
}

function applyCandidate(candidate: IdentityCandidate, env: Env): string | undefined {
  if (typeof candidate === 'string') return present(fill(candidate, env));
  let value = present(fill(candidate.template, env));
  if (value === undefined) return undefined;
  if (candidate.stripPrefix) {
    const current = value;
    const prefix = candidate.stripPrefix.find((p) => current.startsWith(p));
    if (prefix !== undefined) value = current.slice(prefix.length);
  }
  if (candidate.stripSuffix !== undefined) {
    const suffix = fill(candidate.stripSuffix, env);
    if (suffix === undefined) return undefined;
    if (suffix !== '' && value.endsWith(suffix)) value = value.slice(0, -suffix.length);
  }
  if (candidate.repoPath) value = repositoryPath(value);
  return present(value);
}

/** The first candidate of `field` that resolves. */
function fromProvider(provider: CiProvider, field: Field, env: Env): string | undefined {
  for (const candidate of provider[field]) {
    const value = applyCandidate(candidate, env);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The CI provider whose `detect` variables are all set: `"*"` any non-blank value, otherwise equal ignoring case. */
function detectCiProvider(env: Env = process.env): CiProvider | null {
  return ciProviders.find((provider) => Object.entries(provider.detect).every(([name, expected]) => {
    const value = present(env[name]);
    return value !== undefined && (expected === '*' || value.toLowerCase() === expected.toLowerCase());
  })) ?? null;
}

/** `"k/n"` for a 1-based index k of n shards; `null` when n ≤ 1 or the numbers make no shard. */
export function formatShard(index: number, count: number): string | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count <= 1 || index < 1 || index > count || count > 999_999) return null;
  return `${index}/${count}`;
}

const parseShard = (value: string | undefined) => {
  const match = value === undefined ? null : /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  return match ? formatShard(Number(match[1]), Number(match[2])) : null;
};

function providerShard(provider: CiProvider, env: Env): string | null {
  for (const source of provider.shards) {
    const index = present(env[source.index]);
    const total = present(env[source.total]);
    if (index === undefined || total === undefined || !/^\d{1,6}$/.test(index) || !/^\d{1,6}$/.test(total)) continue;
    const shard = formatShard(Number(index) + (1 - source.indexBase), Number(total));
    if (shard !== null) return shard;
  }
  return null;
}

/**
 * Asks git in `cwd` for the facts `needs` names, in at most two calls (`git rev-parse`, and
 * `git config` for the remote), each with a short timeout. `null` when `cwd` is not in a repository.
 */
export function readGit(cwd: string, needs: { remote?: boolean; toplevel?: boolean; branch?: boolean; commit?: boolean }): GitFacts | null {
  const facts: GitFacts = { remote: null, toplevel: null, branch: null, commit: null };
  const run = (args: string[]) => {
    const result = spawnSync('git', args, { cwd, timeout: GIT_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8', windowsHide: true });
    return result.status === 0 && typeof result.stdout === 'string' ? result.stdout.split(/\r?\n/) : null;
  };
  const args = [
    ...(needs.toplevel ? ['--show-toplevel'] : []),
    ...(needs.commit ? ['HEAD'] : []),
    ...(needs.branch ? ['--abbrev-ref', 'HEAD'] : []),
  ];
  if (args.length > 0) {
    const lines = run(['rev-parse', ...args]);
    if (lines === null) return null;
    let line = 0;
    if (needs.toplevel) facts.toplevel = present(lines[line++]) ?? null;
    if (needs.commit) facts.commit = present(lines[line++]) ?? null;
    if (needs.branch) {
      const branch = present(lines[line++]);
      facts.branch = branch && branch !== 'HEAD' ? branch : null;
    }
  }
  if (needs.remote) facts.remote = present(run(['config', '--get', 'remote.origin.url'])?.[0]) ?? null;
  return facts;
}

const name = (value: string) => {
  const cut = value.slice(0, limits.nameLength);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
};

/**
 * Resolves a run's identity by the rules of `contract.json` that the pytest plugin shares. Per field:
 * the explicit overrides, then `PROJECT` / `BRANCH` / `COMMIT` / `WORKER_ID` / `PYTEST_PLATFORM_BUILD_ID`
 * (blank is unset), then the CI provider's candidates, then git (project: the `origin` remote's
 * repository path; branch: the current one, none when detached; commit: HEAD), then the project is
 * the git top-level directory's name, else the working directory's, and the worker the host name.
 * The shard: the runner's own (an override), else `PYTEST_PLATFORM_SHARD`, else the CI's. Never throws.
 */
export function resolveIdentity(options: IdentityOptions = {}): RunIdentity {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const overrides = options.overrides ?? {};
  const provider = detectCiProvider(env);
  const variables = reporterVariables;
  const pick = (override: string | undefined, variable: string, field: Field) =>
    present(override) ?? present(env[variable]) ?? (provider ? fromProvider(provider, field, env) : undefined);

  let project = pick(overrides.project, variables.project, 'project');
  let branch = pick(overrides.branch, variables.branch, 'branch');
  let commit = pick(overrides.commit, variables.commit, 'commit');
  const workerId = pick(overrides.workerId, variables.workerId, 'workerId');
  const buildId = pick(overrides.buildId, variables.buildId, 'buildId');
  const shard = parseShard(present(overrides.shard)) ?? parseShard(present(env[variables.shard])) ?? (provider ? providerShard(provider, env) : null);

  if (project === undefined || branch === undefined || commit === undefined) {
    const git = options.git !== undefined
      ? options.git
      : readGit(cwd, { remote: project === undefined, toplevel: project === undefined, branch: branch === undefined, commit: commit === undefined });
    if (git) {
      project ??= (git.remote ? repositoryPath(git.remote) : undefined) ?? present(git.toplevel && path.basename(git.toplevel));
      branch ??= present(git.branch);
      commit ??= present(git.commit);
    }
  }
  project ??= present(path.basename(path.resolve(cwd))) ?? 'unknown';

  const environment: Record<string, string> = { node: process.versions.node, platform: `${process.platform}-${process.arch}` };
  if (provider) {
    environment.ci = provider.name;
    const ciUrl = fromProvider(provider, 'ciUrl', env);
    if (ciUrl !== undefined) environment.ci_url = ciUrl.slice(0, limits.environmentValueLength);
  }

  return {
    project: name(project),
    branch: branch === undefined ? null : name(branch),
    commit: commit === undefined ? null : name(commit),
    worker_id: name(workerId ?? present(options.hostname ?? os.hostname()) ?? 'unknown'),
    build_id: buildId === undefined ? null : name(buildId),
    shard,
    environment,
  };
}
