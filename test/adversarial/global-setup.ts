/**
 * vitest globalSetup for the adversarial suite: names the tally file for this run (an env var every
 * test process inherits) and, at teardown, prints the one summary line on stdout and fails the run
 * when any crash, hang, wrong allow or duplicate label was recorded.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFECTS, TALLY_ENV, type TallyLine } from './tally.js';

export function setup(): () => void {
  const file = join(tmpdir(), `svirt-adversarial-${process.pid}-${Date.now()}.jsonl`);
  process.env[TALLY_ENV] = file;
  return () => teardown(file);
}

function teardown(file: string): void {
  if (!existsSync(file)) return; // no adversarial test ran in this vitest invocation
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TallyLine);
  rmSync(file, { force: true });
  const count = (o: string): number => lines.filter((l) => l.outcome === o).length;
  const defects = DEFECTS.map(([o, label]) => `${count(o)} ${label}`).join(', ');
  const summary = `bad inputs ${lines.length}, ${DEFECTS.map(([o, label]) => `${label} ${count(o)}`).join(', ')}`;
  process.stdout.write(`\n${summary}\n`);
  const bad = lines.filter((l) => DEFECTS.some(([o]) => o === l.outcome));
  if (bad.length > 0) {
    for (const l of bad.slice(0, 20)) process.stdout.write(`  ${l.outcome}: ${l.suite}: ${l.what}\n`);
    // a throw here is only logged by vitest ("error during close"); the exit code is what CI sees
    process.stdout.write(`adversarial suite FAILED: ${defects}\n`);
    process.exitCode = 1;
  }
}
