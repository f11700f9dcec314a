import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../test-support/services.js';

// The services' memory bounds are node flags (bench/README.md, "Memory"). deploy/node-flags.json
// holds them; `npm start` and the bench read it, and the launchers that cannot (docker-compose,
// the Kubernetes manifests, the npm scripts) must say the same: one that drops them runs a
// service without its bound.
const services = ['ingest', 'api', 'mcp'] as const;
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const nodeFlags = JSON.parse(read('deploy/node-flags.json')) as Record<(typeof services)[number], string[]>;
const compose = parse(read('docker-compose.yml')) as { services: Record<string, { command: string[]; cpu_shares?: number }> };

/** The flags between `node` and the service's entry point of a command line. */
function flagsOf(command: readonly string[], service: string): string[] {
  const entry = command.indexOf(`services/${service}/dist/main.js`);
  expect(entry, `${command.join(' ')} starts services/${service}/dist/main.js`).toBeGreaterThan(0);
  return command.slice(command.indexOf('node') + 1, entry);
}

describe('node flags of each service', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

  it.each(services)('%s: docker-compose, Kubernetes and npm run pass the flags of deploy/node-flags.json', (service) => {
    const k8s = parseAllDocuments(read(`deploy/k8s/${service}.yaml`))
      .map((doc) => doc.toJS() as { kind: string; spec: { template: { spec: { containers: { command: string[] }[] } } } })
      .find((doc) => doc.kind === 'Deployment')!;
    expect(flagsOf(compose.services[service]!.command, service)).toEqual(nodeFlags[service]);
    expect(flagsOf(k8s.spec.template.spec.containers[0]!.command, service)).toEqual(nodeFlags[service]);
    expect(flagsOf(scripts[service]!.split('&&').at(-1)!.trim().split(/\s+/), service)).toEqual(nodeFlags[service]);
  });

  it('the API and ingest run with their memory bounds', () => {
    expect(nodeFlags.api).toEqual(['--heap-growing-percent=20', '--max-semi-space-size=8']);
    expect(nodeFlags.ingest).toEqual(['--max-semi-space-size=4']);
  });
});

describe('CPU weight under docker-compose', () => {
  // Each container is a cgroup of its own, where ingest's INGEST_NICE does not weigh against the
  // API: compose gives ingest a lower CPU weight instead (1024 is Docker's default).
  it('ingest weighs less than the API and the MCP service, so their requests go first on a busy host', () => {
    const weight = (service: string) => compose.services[service]!.cpu_shares ?? 1024;
    expect(weight('ingest')).toBeLessThan(weight('api'));
    expect(weight('ingest')).toBeLessThan(weight('mcp'));
  });
});
