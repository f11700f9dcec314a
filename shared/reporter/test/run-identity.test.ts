import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { resolveIdentity } from '../src/index.js';
import type { GitFacts } from '../src/index.js';
import { readGit, repositoryPath } from '../src/run-identity.js';
import { repoRoot, tempDir } from './helpers.js';

interface IdentityCase {
  name: string;
  env: Record<string, string>;
  git: GitFacts | null;
  cwd: string;
  hostname: string;
  expected: {
    project: string;
    branch: string | null;
    commit: string | null;
    worker_id: string;
    ci: string | null;
    ci_url: string | null;
    build_id: string | null;
    shard: string | null;
  };
}

const fixture = JSON.parse(readFileSync(path.join(repoRoot, 'shared/schema/fixtures/ci-identity.json'), 'utf8')) as { cases: IdentityCase[] };

const identityOf = (input: Parameters<typeof resolveIdentity>[0]) => {
  const identity = resolveIdentity(input);
  return {
    project: identity.project,
    branch: identity.branch,
    commit: identity.commit,
    worker_id: identity.worker_id,
    ci: identity.environment.ci ?? null,
    ci_url: identity.environment.ci_url ?? null,
    build_id: identity.build_id,
    shard: identity.shard,
  };
};

describe('the shared CI identity fixture', () => {
  test('has at least 20 cases with distinct names', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(20);
    expect(new Set(fixture.cases.map((c) => c.name)).size).toBe(fixture.cases.length);
  });

  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(identityOf({ env: c.env, git: c.git, cwd: c.cwd, hostname: c.hostname })).toEqual(c.expected);
  });
});

describe('identity rules beyond the fixture', () => {
  const github = { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '1' };

  test('explicit overrides win over the variables, and a runner shard over the CI one', () => {
    const gitlab = { GITLAB_CI: 'true', CI_PROJECT_PATH: 'acme/shop', CI_PIPELINE_ID: '9', CI_NODE_INDEX: '2', CI_NODE_TOTAL: '4', PROJECT: 'env-project' };
    expect(identityOf({ env: gitlab, git: null, cwd: '/x', hostname: 'h' })).toMatchObject({ project: 'env-project', build_id: '9', shard: '2/4' });
    const overridden = identityOf({
      env: gitlab, git: null, cwd: '/x', hostname: 'h',
      overrides: { project: 'flag', branch: 'b', commit: 'c', workerId: 'w', buildId: 'nightly', shard: '3/3' },
    });
    expect(overridden).toMatchObject({ project: 'flag', branch: 'b', commit: 'c', worker_id: 'w', build_id: 'nightly', shard: '3/3' });
    // A shard that is no shard (n = 1, k > n, not k/n) leaves the CI's.
    for (const shard of ['1/1', '5/4', '0/2', 'two']) {
      expect(identityOf({ env: gitlab, git: null, cwd: '/x', overrides: { shard } }).shard).toBe('2/4');
    }
  });

  test('a shard needs integers and a total above 1', () => {
    const shardOf = (index: string, total: string) => identityOf({ env: { BUILDKITE: 'true', BUILDKITE_PARALLEL_JOB: index, BUILDKITE_PARALLEL_JOB_COUNT: total }, git: null, cwd: '/x' }).shard;
    expect(shardOf('0', '3')).toBe('1/3');
    expect(shardOf('2', '3')).toBe('3/3');
    expect(shardOf('3', '3')).toBeNull();
    expect(shardOf('1.5', '3')).toBeNull();
    expect(shardOf('0', '1')).toBeNull();
    expect(shardOf('0', '0000003')).toBeNull();
    expect(shardOf('000001', '000003')).toBe('2/3');
    expect(shardOf('', '3')).toBeNull();
  });

  test('Jenkins without GIT_URL: stripSuffix takes the branch off a multibranch job name, only when the name ends with it', () => {
    const jenkins = (env: Record<string, string>) => identityOf({ env: { JENKINS_URL: 'https://ci.example.test/', ...env }, git: null, cwd: '/x' }).project;
    expect(jenkins({ JOB_NAME: 'acme/shop/main', BRANCH_NAME: 'main' })).toBe('acme/shop');
    expect(jenkins({ JOB_NAME: 'acme/shop/PR-12', BRANCH_NAME: 'PR-12', CHANGE_BRANCH: 'fix/x' })).toBe('acme/shop');
    expect(jenkins({ JOB_NAME: 'shop-tests', BRANCH_NAME: 'main' })).toBe('shop-tests');
    expect(jenkins({ JOB_NAME: 'nightly' })).toBe('nightly');
    expect(jenkins({ JOB_NAME: 'acme/shop/main', BRANCH_NAME: 'main', GIT_URL: 'not a url' })).toBe('acme/shop');
  });

  test('detect values compare ignoring case; "*" needs a non-blank value', () => {
    expect(identityOf({ env: { ...github, GITHUB_ACTIONS: 'TRUE' }, git: null, cwd: '/x' }).ci).toBe('github-actions');
    expect(identityOf({ env: { JENKINS_URL: '  ', JOB_NAME: 'job' }, git: null, cwd: '/x' }).ci).toBeNull();
  });

  test('${VAR:-default} uses the default for a blank variable', () => {
    expect(identityOf({ env: { ...github, GITHUB_SERVER_URL: ' ' }, git: null, cwd: '/x' }).ci_url).toBe('https://github.com/acme/shop/actions/runs/7/attempts/1');
  });

  test('values are cut to the name limit', () => {
    expect(identityOf({ env: { PROJECT: 'p'.repeat(300), BRANCH: 'b'.repeat(300) }, git: null, cwd: '/x' })).toMatchObject({ project: 'p'.repeat(255), branch: 'b'.repeat(255) });
  });

  test.each([
    ['https://github.com/acme/shop', 'acme/shop'],
    ['https://github.com/acme/shop.git', 'acme/shop'],
    ['http://user:token@git.example.com:8080/group/sub/repo.git/', 'group/sub/repo'],
    ['ssh://git@gitlab.acme.dev:2222/acme/backend/shop.git', 'acme/backend/shop'],
    ['git@github.com:acme/shop.git', 'acme/shop'],
    ['git://git.example.test/acme/shop.git', 'acme/shop'],
    ['git@host:/srv/repos/shop.git', 'srv/repos/shop'],
  ])('repository path of %s', (url, expected) => {
    expect(repositoryPath(url)).toBe(expected);
  });

  test.each(['', 'shop', 'github.com:acme/shop', '/srv/git/shop.git', 'C:\\repos\\shop', 'file:///srv/git/shop.git', 'https://github.com/', 'https://github.com/.git'])(
    '%j is not a git URL with a repository path',
    (value) => {
      expect(repositoryPath(value)).toBeUndefined();
    },
  );
});

describe('git, asked for real', () => {
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } }).trim();

  async function repository(): Promise<{ dir: string; commit: string }> {
    const dir = path.join(await tempDir(), 'billing');
    await mkdir(path.join(dir, 'tests', 'unit'), { recursive: true });
    git(dir, 'init', '-q', '-b', 'feature/git');
    git(dir, '-c', 'user.email=t@example.test', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'first');
    return { dir, commit: git(dir, 'rev-parse', 'HEAD') };
  }

  test('no CI: the origin remote names the project; branch and commit from HEAD; a detached HEAD has no branch', async () => {
    const { dir, commit } = await repository();
    const cwd = path.join(dir, 'tests', 'unit');
    expect(identityOf({ env: {}, cwd, hostname: 'box' })).toMatchObject({ project: 'billing', branch: 'feature/git', commit, worker_id: 'box', ci: null });
    git(dir, 'remote', 'add', 'origin', 'git@gitlab.example.test:acme/finance/billing.git');
    expect(identityOf({ env: {}, cwd, hostname: 'box' })).toMatchObject({ project: 'acme/finance/billing', branch: 'feature/git', commit });
    git(dir, 'checkout', '-q', '--detach');
    expect(identityOf({ env: {}, cwd, hostname: 'box' })).toMatchObject({ branch: null, commit });
  });

  test('git is asked only for what is still unknown', async () => {
    const { dir, commit } = await repository();
    expect(readGit(dir, { commit: true })).toEqual({ remote: null, toplevel: null, branch: null, commit });
    expect(readGit(dir, { toplevel: true, branch: true })).toEqual({ remote: null, toplevel: dir, branch: 'feature/git', commit: null });
    expect(readGit(path.parse(dir).root, { commit: true, branch: true })).toBeNull();
  });

  test('outside a repository: the working directory names the project', async () => {
    const dir = path.join(await tempDir(), 'scratch-suite');
    await mkdir(dir);
    expect(identityOf({ env: {}, cwd: dir, hostname: 'box' })).toMatchObject({ project: 'scratch-suite', branch: null, commit: null });
  });
});
