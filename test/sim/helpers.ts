/** Shared set-up for simulator tests: the fixture policy on disk and small, fast, seeded options. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveOptions, type RawStressOptions, type StressOptions } from '../../src/sim/options.js';
import { simPolicyText } from './sim-policy.js';

let policyPath: string | undefined;

/** The fixture policy written once per test file into a temp dir. */
export function simPolicyPath(): string {
  if (!policyPath) {
    const dir = mkdtempSync(join(tmpdir(), 'svirt-sim-'));
    policyPath = join(dir, 'sim.conf');
    writeFileSync(policyPath, simPolicyText());
  }
  return policyPath;
}

export function tmpFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'svirt-sim-')), name);
}

/** Small seeded --ops run: 12 guests, 2 workers, 120k operations (a few hundred ms of work). */
export function smallOptions(extra: RawStressOptions = {}): StressOptions {
  return resolveOptions({ policy: simPolicyPath(), guests: '12', workers: '2', ops: '120000', seed: '7', attackRatio: '0.5', ...extra }, () => 1);
}
