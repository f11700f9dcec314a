import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../test-support/services.js';

// The services' memory bounds are node flags (bench/README.md, "Memory"), so every way of starting
// a service must pass the same ones: a launcher that drops them runs a service without its bound.
const services = ['ingest', 'api', 'mcp'] as const;
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');

/** The flags between `node` and the service's entry point of a command line. */
function flagsOf(command: readonly string[], service: string): string[] {
  const entry = command.indexOf(`services/${service}/dist/main.js`);
  expect(entry, `${command.join(' ')} starts services/${service}/dist/main.js`).toBeGreaterThan(0);
  return command.slice(command.indexOf('node') + 1, entry);
}

/** A `{ ingest: [...], api: [...], mcp: [...] }` literal of a script, read as JSON. */
function flagTable(file: string, name: string): Record<string, string[]> {
  const literal = new RegExp(`${name} = (\\{[^}]*\\})`).exec(read(file))?.[1];
  expect(literal, `${file} defines ${name}`).toBeDefined();
  return JSON.parse(literal!.replaceAll("'", '"').replace(/(\w+):/g, '"$1":')) as Record<string, string[]>;
}

describe('node flags of each service', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, { command: string[] }> };
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  const startJs = flagTable('scripts/start.js', 'nodeFlags');
  const bench = flagTable('bench/lib/processes.ts', 'NODE_FLAGS');

  it.each(services)('%s: docker-compose, Kubernetes, npm run, npm start and the bench agree', (service) => {
    const expected = flagsOf(compose.services[service]!.command, service);
    const k8s = parseAllDocuments(read(`deploy/k8s/${service}.yaml`))
      .map((doc) => doc.toJS() as { kind: string; spec: { template: { spec: { containers: { command: string[] }[] } } } })
      .find((doc) => doc.kind === 'Deployment')!;
    expect(flagsOf(k8s.spec.template.spec.containers[0]!.command, service)).toEqual(expected);
    expect(flagsOf(scripts[service]!.split('&&').at(-1)!.trim().split(/\s+/), service)).toEqual(expected);
    expect(startJs[service]).toEqual(expected);
    expect(bench[service]).toEqual(expected);
  });

  it('the API and ingest run with their memory bounds', () => {
    expect(flagsOf(compose.services.api!.command, 'api')).toEqual(['--heap-growing-percent=20', '--max-semi-space-size=8']);
    expect(flagsOf(compose.services.ingest!.command, 'ingest')).toEqual(['--max-semi-space-size=4']);
  });
});
