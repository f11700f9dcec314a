import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { limits, truncate } from '@pytest-platform/schema';

/** Who ran the tests, where, on what code. */
export interface RunIdentity {
  project: string;
  branch: string | null;
  commit: string | null;
  worker_id: string;
  environment: Record<string, string>;
}

/** Explicit values win over everything the environment says. */
export interface IdentityOverrides {
  project?: string | undefined;
  branch?: string | undefined;
  commit?: string | undefined;
  workerId?: string | undefined;
}

interface CiProvider {
  name: string;
  project?: string | undefined;
  branch?: string | undefined;
  commit?: string | undefined;
  worker?: string | undefined;
  url?: string | undefined;
}

const present = (value: string | undefined) => (value && value.trim() ? value.trim() : undefined);

function ciProvider(env: NodeJS.ProcessEnv): CiProvider | null {
  if (env.GITHUB_ACTIONS === 'true') {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    return {
      name: 'github-actions',
      project: env.GITHUB_REPOSITORY?.split('/').pop(),
      branch: present(env.GITHUB_HEAD_REF) ?? env.GITHUB_REF_NAME,
      commit: env.GITHUB_SHA,
      worker: env.RUNNER_NAME,
      url: env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    };
  }
  if (env.GITLAB_CI === 'true') {
    return {
      name: 'gitlab-ci',
      project: env.CI_PROJECT_NAME,
      branch: present(env.CI_COMMIT_BRANCH) ?? present(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME) ?? env.CI_COMMIT_REF_NAME,
      commit: env.CI_COMMIT_SHA,
      worker: env.CI_RUNNER_DESCRIPTION,
      url: env.CI_JOB_URL,
    };
  }
  if (env.BUILDKITE === 'true') {
    return {
      name: 'buildkite', project: env.BUILDKITE_PIPELINE_SLUG, branch: env.BUILDKITE_BRANCH,
      commit: env.BUILDKITE_COMMIT, worker: env.BUILDKITE_AGENT_NAME, url: env.BUILDKITE_BUILD_URL,
    };
  }
  if (env.CIRCLECI === 'true') {
    return {
      name: 'circleci', project: env.CIRCLE_PROJECT_REPONAME, branch: env.CIRCLE_BRANCH,
      commit: env.CIRCLE_SHA1, worker: undefined, url: env.CIRCLE_BUILD_URL,
    };
  }
  if (env.JENKINS_URL || env.JENKINS_HOME) {
    return {
      name: 'jenkins',
      project: env.JOB_BASE_NAME ?? env.JOB_NAME,
      branch: (present(env.CHANGE_BRANCH) ?? present(env.BRANCH_NAME) ?? env.GIT_BRANCH)?.replace(/^origin\//, ''),
      commit: env.GIT_COMMIT,
      worker: env.NODE_NAME,
      url: env.BUILD_URL,
    };
  }
  return null;
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    const out = execFileSync('git', args, { cwd, timeout: 1500, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
    return present(out);
  } catch {
    return undefined;
  }
}

function packageName(cwd: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { name?: unknown };
    return typeof pkg.name === 'string' ? present(pkg.name) : undefined;
  } catch {
    return undefined;
  }
}

const name = (value: string) => truncate(value, limits.nameLength);

/**
 * Resolves a run's identity: overrides, then `PROJECT`/`BRANCH`/`COMMIT`/`WORKER_ID`, then the CI
 * provider's variables (GitHub Actions, GitLab CI, Jenkins, Buildkite, CircleCI), then git and the
 * host name. The project falls back to the `package.json` name, then the directory name. Never throws.
 */
export function resolveIdentity(
  options: { env?: NodeJS.ProcessEnv; cwd?: string; overrides?: IdentityOverrides } = {},
): RunIdentity {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const overrides = options.overrides ?? {};
  const ci = ciProvider(env);

  const project = present(overrides.project) ?? present(env.PROJECT) ?? present(ci?.project)
    ?? packageName(cwd) ?? (path.basename(path.resolve(cwd)) || 'unknown');
  let branch = present(overrides.branch) ?? present(env.BRANCH) ?? present(ci?.branch) ?? null;
  let commit = present(overrides.commit) ?? present(env.COMMIT) ?? present(ci?.commit) ?? null;
  if (branch === null) {
    const head = git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']);
    branch = head && head !== 'HEAD' ? head : null;
  }
  commit ??= git(cwd, ['rev-parse', 'HEAD']) ?? null;
  const workerId = present(overrides.workerId) ?? present(env.WORKER_ID) ?? present(ci?.worker) ?? (os.hostname() || 'unknown');

  const environment: Record<string, string> = { node: process.versions.node, platform: `${process.platform}-${process.arch}` };
  if (ci) environment.ci = ci.name;
  if (ci?.url) environment.ci_url = truncate(ci.url, limits.environmentValueLength);

  return {
    project: name(project),
    branch: branch === null ? null : name(branch),
    commit: commit === null ? null : name(commit),
    worker_id: name(workerId),
    environment,
  };
}
