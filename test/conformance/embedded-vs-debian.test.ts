/**
 * The embedded policy (policies/svirt.conf) decides like Debian's reference policy.
 *
 * Both policies are compiled/loaded by libsepol (the harness) and asked the same queries: every
 * (source type, target type, class) of the embedded policy — its 23 types × file, dir, lnk_file,
 * chr_file, blk_file, sock_file, fifo_file, process — at every category relation sVirt cares about
 * (same, different, overlapping, subset, superset, empty, full, system high, ranged), with all
 * permissions and with one random permission, under several boolean settings. VERDICT and ALLOWED
 * must be identical. Our engine on the embedded policy must also equal libsepol on it.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerQueries } from '../../src/security/query.js';
import { boolArgs, extractFacts, pairwiseQueries, Rng, SVIRT_CLASSES, type PolicyFacts } from './generator.js';
import {
  buildHarness,
  compareLines,
  compilePolicy,
  debianConfText,
  debianMissing,
  DEBIAN_POLICY,
  describeMismatch,
  EMBEDDED_CONF,
  runHarness,
  tallyVerdicts,
  tempDir,
  warnSkip,
} from './sepol.js';

const missing = debianMissing();
if (missing) warnSkip('embedded-vs-Debian policy comparison', missing);

describe.skipIf(missing !== undefined)('policies/svirt.conf decides like Debian policy.33', () => {
  let harness = '';
  let embeddedBin = '';
  let facts: PolicyFacts;
  let debianFacts: PolicyFacts;
  let queries: string[] = [];
  let settings: Array<{ label: string; bools: Record<string, boolean> }> = [];

  beforeAll(() => {
    harness = buildHarness();
    const dir = tempDir('svirt-embedded-');
    embeddedBin = compilePolicy(EMBEDDED_CONF, dir, 'svirt');
    facts = extractFacts(readFileSync(EMBEDDED_CONF, 'utf8'));
    debianFacts = extractFacts(debianConfText(dir).text);
    queries = pairwiseQueries(facts, 7);
    const names = [...facts.bools.keys()];
    const rng = new Rng(99);
    settings = [
      { label: 'defaults', bools: {} },
      { label: 'all-on', bools: Object.fromEntries(names.map((n) => [n, true])) },
      { label: 'random-1', bools: Object.fromEntries(names.map((n) => [n, rng.chance(0.5)])) },
      { label: 'random-2', bools: Object.fromEntries(names.map((n) => [n, rng.chance(0.5)])) },
    ];
  }, 300_000);

  it('declares the classes with Debian permission order (same bits) and Debian boolean defaults', () => {
    for (const c of SVIRT_CLASSES) expect(facts.classes.get(c), c).toEqual(debianFacts.classes.get(c));
    for (const [name, value] of facts.bools) expect(debianFacts.bools.get(name), name).toBe(value);
    for (const t of facts.types) expect(debianFacts.types, t).toContain(t);
  });

  it('gives the same decision as Debian for every type pair, class and category relation', () => {
    // 23 × 23 types × 8 classes × 9 relations × 2 requests
    expect(queries.length).toBe(facts.types.length ** 2 * SVIRT_CLASSES.length * 9 * 2);
    const report: string[] = ['embedded vs Debian: setting  queries  mismatches  allow/deny/none/ERR/BOOL'];
    let total = 0;
    for (const s of settings) {
      const deb = runHarness(harness, DEBIAN_POLICY, queries, boolArgs(s.bools));
      const emb = runHarness(harness, embeddedBin, queries, boolArgs(s.bools));
      const mm = compareLines(s.label, deb, emb);
      const t = tallyVerdicts(deb);
      report.push(`  ${s.label.padEnd(9)} ${String(deb.length).padStart(7)} ${String(mm.length).padStart(10)}   ${t.allow}/${t.deny}/${t.none}/${t.error}/${t.bool}`);
      for (const m of mm.slice(0, 10)) report.push(describeMismatch(m));
      total += mm.length;
      // the comparison is only meaningful if both policies accepted every context
      expect(t.error, `${s.label}: contexts rejected`).toBe(0);
      expect(t.allow, `${s.label}: nothing allowed`).toBeGreaterThan(1000);
    }
    console.log(report.join('\n'));
    expect(total).toBe(0);
  });

  it('our engine on the embedded policy equals libsepol on it', async () => {
    const { loadEmbeddedPolicy } = await import('../../src/policy/load.js');
    const { createSecurityServer } = await import('../../src/security/server.js');
    const model = loadEmbeddedPolicy();
    // two settings keep the file's runtime modest; the four above already pin libsepol's answers
    for (const s of [settings[0]!, settings[2]!]) {
      const server = createSecurityServer(model, { booleans: s.bools });
      const ours = answerQueries(server, queries.join('\n')).lines;
      const theirs = runHarness(harness, embeddedBin, queries, boolArgs(s.bools));
      const mm = compareLines(s.label, theirs, ours);
      if (mm.length > 0) console.log(mm.slice(0, 10).map(describeMismatch).join('\n'));
      expect(mm.length, `${s.label}: ${mm.length} mismatches`).toBe(0);
    }
  }, 300_000);
});
