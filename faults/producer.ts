// A test worker under load: builds runs with the real Node collector (RunCollector → deliverRuns:
// XADD, or the spool when Redis is unreachable) until its stdin closes, and prints one JSON line
// per finished run: {"run_id","total","sent","spooled","flushed"}.
import { RunCollector, readReporterConfig } from '@pytest-platform/reporter';

const project = process.env.FAULTS_PROJECT ?? 'faults';
const worker = process.env.FAULTS_WORKER ?? `producer-${process.pid}`;
const pauseMs = Number(process.env.FAULTS_PAUSE_MS ?? '5');
const config = readReporterConfig(process.env);

let stopping = false;
process.stdin.on('end', () => (stopping = true));
process.stdin.on('close', () => (stopping = true));
process.stdin.resume();

const outcomes = ['passed', 'passed', 'passed', 'failed', 'skipped'] as const;

for (let i = 0; !stopping; i++) {
  const collector = new RunCollector({
    framework: 'faults',
    config,
    overrides: { project, branch: 'main', commit: 'faults', workerId: worker },
    log: () => {},
  });
  const total = 5 + (i % 11);
  for (let t = 0; t < total; t++) {
    const outcome = outcomes[(i + t) % outcomes.length] ?? 'passed';
    collector.add({
      nodeid: `tests/test_faults_${i % 7}.py::test_${t}`,
      outcome,
      duration: 0.001 * t,
      message: outcome === 'failed' ? `AssertionError: ${t}` : null,
    });
  }
  const delivery = await collector.finish();
  process.stdout.write(`${JSON.stringify({ run_id: collector.header.run_id, total, ...delivery })}\n`);
  if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
}
