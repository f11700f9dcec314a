// A test worker under load: builds runs with the real Node collector (RunCollector → deliverRuns:
// XADD, or the spool when Redis is unreachable; live entries with PYTEST_PLATFORM_LIVE=1) until its
// stdin closes. Prints {"started":run_id} when a run starts and one line per finished run:
// {"run_id","total","sent","spooled","flushed"}.
// FAULTS_BIG_EVERY=n: every n-th run has FAULTS_BIG_TESTS tests (more than one live batch).
// FAULTS_HANG_AFTER=n: a worker that dies mid-run: adds n tests to its first run, then waits forever.
import { RunCollector, readReporterConfig } from '@pytest-platform/reporter';

const project = process.env.FAULTS_PROJECT ?? 'faults';
const worker = process.env.FAULTS_WORKER ?? `producer-${process.pid}`;
const pauseMs = Number(process.env.FAULTS_PAUSE_MS ?? '5');
const bigEvery = Number(process.env.FAULTS_BIG_EVERY ?? '0');
const bigTests = Number(process.env.FAULTS_BIG_TESTS ?? '1100');
const hangAfter = Number(process.env.FAULTS_HANG_AFTER ?? '0');
const config = readReporterConfig(process.env);

let stopping = false;
process.stdin.on('end', () => (stopping = true));
process.stdin.on('close', () => (stopping = true));
process.stdin.resume();

const outcomes = ['passed', 'passed', 'passed', 'failed', 'skipped'] as const;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

for (let i = 0; !stopping; i++) {
  const collector = new RunCollector({
    framework: 'faults',
    config,
    overrides: { project, branch: 'main', commit: 'faults', workerId: worker },
    log: () => {},
  });
  collector.start();
  print({ started: collector.header.run_id });
  const total = hangAfter > 0 ? hangAfter : bigEvery > 0 && i % bigEvery === bigEvery - 1 ? bigTests : 5 + (i % 11);
  for (let t = 0; t < total; t++) {
    const outcome = outcomes[(i + t) % outcomes.length] ?? 'passed';
    collector.add({
      nodeid: `tests/test_faults_${i % 7}.py::test_${t}`,
      outcome,
      duration: 0.001 * t,
      message: outcome === 'failed' ? `AssertionError: ${t}` : null,
    });
  }
  if (hangAfter > 0) await new Promise(() => setInterval(() => {}, 60_000));
  const delivery = await collector.finish();
  print({ run_id: collector.header.run_id, total, ...delivery });
  if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
}
