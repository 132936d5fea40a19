/**
 * libsepol conformance: our engine must answer every generated query exactly as libsepol does on
 * Debian's reference policy (selinux-policy-default, policy.33): same VERDICT (reasons included) and
 * same ALLOWED vector, on ≥ 100,000 queries in four groups (see generator.ts), once with the policy
 * read from its `checkpolicy -F` text and once from the binary policy.33.
 *
 * Ground truth is test/conformance/harness.c, linked against the static libsepol.a, answering the
 * same lines through sepol_context_to_sid + sepol_compute_av_reason.
 * Without Debian's packages the suite is skipped with a loud notice.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { answerQueries } from '../../src/security/query.js';
import type { PolicyModel, SecurityServer } from '../../src/types.js';
import { boolArgs, countByGroup, generateQueries, type GroupName, type QueryRun } from './generator.js';
import {
  buildHarness,
  compareLines,
  debianConfText,
  debianMissing,
  DEBIAN_POLICY,
  describeMismatch,
  runHarness,
  tallyVerdicts,
  tempDir,
  warnSkip,
  type Mismatch,
} from './sepol.js';

const missing = debianMissing();
if (missing) warnSkip('libsepol conformance suite', missing);

/** Set every boolean to the run's value or the policy default (only the ones that change). */
function applyBools(server: SecurityServer, model: PolicyModel, bools: Record<string, boolean>): void {
  for (const b of model.bools) {
    const want = bools[b.name] ?? b.defaultState;
    if (server.getBoolean(b.name) !== want) server.setBoolean(b.name, want);
  }
}

describe.skipIf(missing !== undefined)('libsepol conformance on Debian policy.33', () => {
  let confPath = '';
  let runs: QueryRun[] = [];
  const expected = new Map<string, string[]>();

  beforeAll(() => {
    const harness = buildHarness();
    const conf = debianConfText(tempDir('svirt-conformance-'));
    confPath = conf.path;
    runs = generateQueries(conf.text);
    for (const run of runs) expected.set(run.label, runHarness(harness, DEBIAN_POLICY, run.lines, boolArgs(run.bools)));
  }, 600_000);

  it('generates a meaningful mix: ≥ 100,000 queries, every verdict kind and every ERR code', () => {
    const counts = countByGroup(runs);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(100_000);
    const all = [...expected.values()].flat();
    // every query line got exactly one answer from libsepol
    expect(all.length).toBe(total);
    const verdicts = new Set(all.map((l) => l.split('\t')[4] ?? ''));
    for (const v of ['allow', '-', 'deny:TE', 'deny:CONS', 'deny:TE,BOOL', 'ERR:MALFORMED', 'ERR:BADSCON', 'ERR:BADTCON', 'ERR:BADCLASS', 'ERR:BADPERM']) {
      expect(verdicts, `verdict ${v} never occurs`).toContain(v);
    }
    expect([...verdicts].some((v) => v.includes('RBAC')), 'no RBAC denial in the mix').toBe(true);
    // the sVirt group really exercises MCS: constraint denials and MCS-permitted accesses
    const svirt = expected.get('svirt') ?? [];
    expect(svirt.filter((l) => l.includes('\tdeny:CONS\t')).length).toBeGreaterThan(1000);
    expect(svirt.filter((l) => l.includes('\tallow\t')).length).toBeGreaterThan(1000);
  });

  for (const source of ['text', 'binary'] as const) {
    it(`answers every query as libsepol does (policy read from ${source})`, async () => {
      const { loadPolicyFile } = await import('../../src/policy/load.js');
      const { createSecurityServer } = await import('../../src/security/server.js');
      const model = loadPolicyFile(source === 'text' ? confPath : DEBIAN_POLICY);
      const server = createSecurityServer(model);

      const mismatches: Mismatch[] = [];
      const byGroup = new Map<GroupName, { queries: number; mismatches: number; tally: Record<string, number> }>();
      for (const run of runs) {
        applyBools(server, model, run.bools);
        const ours = answerQueries(server, run.lines.join('\n')).lines;
        const theirs = expected.get(run.label)!;
        const mm = compareLines(run.label, theirs, ours);
        mismatches.push(...mm);
        const g = byGroup.get(run.group) ?? { queries: 0, mismatches: 0, tally: {} };
        g.queries += theirs.length;
        g.mismatches += mm.length;
        for (const [k, v] of Object.entries(tallyVerdicts(theirs))) g.tally[k] = (g.tally[k] ?? 0) + v;
        byGroup.set(run.group, g);
      }

      const report = [`conformance (${source}): group  queries  mismatches  allow/deny/none/ERR/BOOL`];
      for (const [group, g] of byGroup) {
        const t = g.tally;
        report.push(`  ${group.padEnd(7)} ${String(g.queries).padStart(8)} ${String(g.mismatches).padStart(10)}   ${t.allow}/${t.deny}/${t.none}/${t.error}/${t.bool}`);
      }
      if (mismatches.length > 0) {
        report.push(`first mismatches (of ${mismatches.length}):`);
        for (const m of mismatches.slice(0, 20)) report.push(describeMismatch(m));
      }
      console.log(report.join('\n'));
      expect(mismatches.length, `${mismatches.length} queries differ from libsepol`).toBe(0);
    }, 900_000);
  }
});
