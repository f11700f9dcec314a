#!/usr/bin/env node
// `npm run audit`: fails on a high or critical advisory in production dependencies. When the
// registry's audit endpoint cannot be reached (offline CI, a mirror without it), it says so loudly
// and exits 0, because nothing was checked; AUDIT_REQUIRED=1 makes that a failure too.
import { spawnSync } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const audit = spawnSync(npm, ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
let report;
try {
  report = JSON.parse(audit.stdout);
} catch {
  report = undefined;
}
const counts = report?.metadata?.vulnerabilities;
if (!counts) {
  const reason = report?.message ?? report?.error?.summary ?? (audit.stderr.trim().split('\n')[0] || `npm audit exited with ${audit.status}`);
  process.stderr.write(`audit: NOT CHECKED: the registry's audit endpoint did not answer (${reason})\n`);
  process.exit(process.env.AUDIT_REQUIRED === '1' ? 1 : 0);
}
const high = (counts.high ?? 0) + (counts.critical ?? 0);
process.stdout.write(`audit: production dependencies: ${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low\n`);
if (high > 0) {
  spawnSync(npm, ['audit', '--omit=dev', '--audit-level=high'], { stdio: 'inherit' });
  process.exit(1);
}
