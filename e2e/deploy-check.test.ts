import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../test-support/services.js';

// Manifests are free-form YAML; the mutations below reach deep into them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** A copy of deploy/ and the compose files, with node_modules linked so the validator resolves its packages. */
function copyDeploy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pp-deploy-check-'));
  copies.push(dir);
  cpSync(join(repoRoot, 'deploy'), join(dir, 'deploy'), { recursive: true });
  for (const file of ['docker-compose.yml', 'docker-compose.postgres.yml']) copyFileSync(join(repoRoot, file), join(dir, file));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function edit(dir: string, file: string, mutate: (docs: Manifest[]) => Manifest[] | void): void {
  const path = join(dir, 'deploy', file);
  const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => doc.toJS() as Manifest);
  const result = mutate(docs) ?? docs;
  writeFileSync(path, result.map((doc) => stringify(doc)).join('---\n'));
}

const byKind = (docs: Manifest[], kind: string): Manifest => docs.find((doc) => doc.kind === kind);
const container = (docs: Manifest[]): Manifest => byKind(docs, 'Deployment').spec.template.spec.containers[0];

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }));
  });
}

const validate = (dir: string) => run(process.execPath, [join(dir, 'deploy/validate-k8s.mjs')], dir);

const mutations: [string, (dir: string) => void, RegExp][] = [
  ['readOnlyRootFilesystem dropped', (dir) => edit(dir, 'k8s/api.yaml', (docs) => void delete container(docs).securityContext.readOnlyRootFilesystem),
    /Deployment\/pytest-platform-api: container api: securityContext\.readOnlyRootFilesystem must be true/],
  ['liveness pointed at /health', (dir) => edit(dir, 'k8s/mcp.yaml', (docs) => void (container(docs).livenessProbe.httpGet.path = '/health')),
    /Deployment\/pytest-platform-mcp: container mcp: livenessProbe\.httpGet\.path must be \/livez/],
  ['readiness pointed at /livez', (dir) => edit(dir, 'k8s/ingest.yaml', (docs) => void (container(docs).readinessProbe.httpGet.path = '/livez')),
    /Deployment\/pytest-platform-ingest: container ingest: readinessProbe\.httpGet\.path must be \/health/],
  ['liveness probe removed', (dir) => edit(dir, 'k8s/api.yaml', (docs) => void delete container(docs).livenessProbe),
    /Deployment\/pytest-platform-api: container api: livenessProbe is missing/],
  ['a PodDisruptionBudget removed', (dir) => edit(dir, 'k8s/ingest.yaml', (docs) => docs.filter((doc) => doc.kind !== 'PodDisruptionBudget')),
    /Deployment\/pytest-platform-ingest: no PodDisruptionBudget selects its pods/],
  ['a PodDisruptionBudget that allows no eviction', (dir) => edit(dir, 'k8s/mcp.yaml', (docs) => void (byKind(docs, 'PodDisruptionBudget').spec.maxUnavailable = 0)),
    /PodDisruptionBudget\/pytest-platform-mcp: allows no disruption/],
  ['a Secret in the applied directory', (dir) => copyFileSync(join(dir, 'deploy/k8s-examples/secret.example.yaml'), join(dir, 'deploy/k8s/secret.yaml')),
    /deploy\/k8s\/secret\.yaml: Secret\/pytest-platform: a Secret in deploy\/k8s\//],
  ['limits removed', (dir) => edit(dir, 'k8s/api.yaml', (docs) => void delete container(docs).resources.limits),
    /container api: resources\.limits\.cpu is missing[\s\S]*container api: resources\.limits\.memory is missing/],
  ['a memory request removed', (dir) => edit(dir, 'k8s/mcp.yaml', (docs) => void delete container(docs).resources.requests.memory),
    /container mcp: resources\.requests\.memory is missing/],
  ['a request above its limit', (dir) => edit(dir, 'k8s/ingest.yaml', (docs) => void (container(docs).resources.requests.memory = '1Gi')),
    /container ingest: resources\.requests\.memory is above resources\.limits\.memory/],
  ['seccompProfile dropped', (dir) => edit(dir, 'k8s/ingest.yaml', (docs) => void delete container(docs).securityContext.seccompProfile),
    /container ingest: securityContext\.seccompProfile\.type must be RuntimeDefault/],
  ['allowPrivilegeEscalation true', (dir) => edit(dir, 'k8s/api.yaml', (docs) => void (container(docs).securityContext.allowPrivilegeEscalation = true)),
    /container api: securityContext\.allowPrivilegeEscalation must be false/],
  ['capabilities not dropped', (dir) => edit(dir, 'k8s/mcp.yaml', (docs) => void delete container(docs).securityContext.capabilities),
    /container mcp: securityContext\.capabilities\.drop must include ALL/],
  ['runAsNonRoot dropped from pod and container', (dir) => edit(dir, 'k8s/api.yaml', (docs) => {
    delete container(docs).securityContext.runAsNonRoot;
    delete byKind(docs, 'Deployment').spec.template.spec.securityContext.runAsNonRoot;
  }), /container api: securityContext\.runAsNonRoot must be true/],
  ['the writable /tmp removed', (dir) => edit(dir, 'k8s/api.yaml', (docs) => {
    delete container(docs).volumeMounts;
    delete byKind(docs, 'Deployment').spec.template.spec.volumes;
  }), /container api: volumeMounts needs an emptyDir at \/tmp/],
  ['the service token mounted', (dir) => edit(dir, 'k8s/mcp.yaml', (docs) => void delete byKind(docs, 'Deployment').spec.template.spec.automountServiceAccountToken),
    /Deployment\/pytest-platform-mcp: spec\.template\.spec\.automountServiceAccountToken must be false/],
  ['the ingest health port left on 127.0.0.1', (dir) => edit(dir, 'k8s/ingest.yaml', (docs) => {
    const c = container(docs);
    c.env = c.env.filter((e: Manifest) => e.name !== 'INGEST_HEALTH_HOST');
  }), /container ingest: env INGEST_HEALTH_HOST must be 0\.0\.0\.0/],
  ['the NetworkPolicies removed', (dir) => unlinkSync(join(dir, 'deploy/k8s/network-policy.yaml')),
    /Deployment\/pytest-platform-api: no NetworkPolicy restricts the egress of its pods[\s\S]*no NetworkPolicy restricts ingress to redis pods[\s\S]*no NetworkPolicy restricts ingress to postgres pods/],
  ['Redis open to every pod', (dir) => edit(dir, 'k8s/network-policy.yaml', (docs) => void delete docs.find((d) => d.metadata.name === 'pytest-platform-redis').spec.ingress[0].from),
    /NetworkPolicy\/pytest-platform-redis: spec\.ingress\[0\] has no "from"/],
  ['Postgres open to an address block', (dir) => edit(dir, 'k8s/network-policy.yaml', (docs) => void docs.find((d) => d.metadata.name === 'pytest-platform-postgres').spec.ingress[0].from.push({ ipBlock: { cidr: '0.0.0.0/0' } })),
    /NetworkPolicy\/pytest-platform-postgres: spec\.ingress\[0\] admits an ipBlock \(0\.0\.0\.0\/0\)/],
  ['ingest left out of the Redis policy', (dir) => edit(dir, 'k8s/network-policy.yaml', (docs) => {
    const from = docs.find((d) => d.metadata.name === 'pytest-platform-redis').spec.ingress[0].from[0].podSelector.matchExpressions[0];
    from.values = from.values.filter((v: string) => v !== 'ingest');
  }), /the NetworkPolicy for redis does not admit the ingest pods/],
  ['DNS left out of the egress policy', (dir) => edit(dir, 'k8s/network-policy.yaml', (docs) => void docs.find((d) => d.metadata.name === 'pytest-platform-egress').spec.egress.shift()),
    /Deployment\/pytest-platform-api: the NetworkPolicies selecting its pods do not let them reach DNS \(UDP 53\)/],
  ['egress to every port', (dir) => edit(dir, 'k8s/network-policy.yaml', (docs) => void docs.find((d) => d.metadata.name === 'pytest-platform-egress').spec.egress.push({})),
    /NetworkPolicy\/pytest-platform-egress: spec\.egress\[3\] lists no ports, so it allows every port to everywhere/],
  ['an example token shorter than 16 characters', (dir) => edit(dir, 'k8s-examples/secret.example.yaml', (docs) => void (docs[0].stringData.API_TOKEN = 'change-me')),
    /Secret\/pytest-platform: API_TOKEN must have at least 16 characters/],
];

describe('deploy/check.sh on a copy of deploy/', () => {
  it('passes on the unmodified copy: both compose files and every Kubernetes property', async () => {
    const dir = copyDeploy();
    const result = await run('bash', [join(dir, 'deploy/check.sh')], dir);
    expect(result.output).toContain('all hold');
    expect(result.code, result.output).toBe(0);
  });

  it.each(mutations)('fails when %s, naming the object and the property', async (_name, mutate, expected) => {
    const dir = copyDeploy();
    mutate(dir);
    const result = await validate(dir);
    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(expected);
  });
});
