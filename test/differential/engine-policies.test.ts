/**
 * Differential on real policies: the Wasm engine == referenceComputeAv (allowed, auditallow,
 * auditdeny, flags, reason) on (a) the embedded sVirt policy (policies/svirt.conf, 100,000 queries)
 * and (b) Debian's compiled refpolicy /etc/selinux/default/policy/policy.33 when installed.
 * Contexts are random valid contexts of each policy; classes and requests are random.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatContext } from '../../src/context/context.js';
import { createSecurityServer } from '../../src/security/server.js';
import { referenceComputeAv } from '../../src/security/reference.js';
import { AVD_FLAGS_PERMISSIVE } from '../../src/types.js';
import type { PolicyModel } from '../../src/policy/model.js';
import { embeddedPolicyPath, loadEmbeddedPolicy, loadPolicyFile } from '../../src/policy/load.js';
import { Rng, randomContexts } from '../support/random-policy.js';

const SEED = Number(process.env.SVIRT_DIFF_SEED ?? 0x51ab1e);
const DEBIAN = '/etc/selinux/default/policy/policy.33';

function differential(model: PolicyModel, label: string, queries: number, ncontexts: number): void {
  const rng = new Rng(SEED);
  const ss = createSecurityServer(model);
  const contexts = randomContexts(model, rng, ncontexts);
  expect(contexts.length, `${label}: valid contexts`).toBeGreaterThan(10);
  const sids = contexts.map((c) => ss.contextToSid(formatContext(model, c)));
  const bools = model.bools.map((b) => b.defaultState);
  // bias classes toward the ones with rules so that allowed != 0 is common
  const ruleClasses = [...new Set(model.avtab.map((e) => e.tclass))];
  let allowedSeen = 0;
  for (let q = 0; q < queries; q++) {
    if (q > 0 && q % Math.floor(queries / 4) === 0 && model.bools.length > 0) {
      const b = rng.pick(model.bools);
      bools[b.value - 1] = !bools[b.value - 1];
      ss.setBoolean(b.name, bools[b.value - 1]!);
    }
    const i = rng.int(0, contexts.length - 1);
    const j = rng.chance(0.2) ? i : rng.int(0, contexts.length - 1);
    const tclass = rng.chance(0.7) && ruleClasses.length > 0 ? rng.pick(ruleClasses) : rng.int(1, model.classes.length);
    const np = model.classes[tclass - 1]!.perms.length;
    const known = np >= 32 ? 0xffffffff : (1 << np) - 1;
    const requested = (rng.u32() & (rng.chance(0.5) ? 1 << rng.int(0, 31) : rng.u32()) & known) >>> 0;
    const exp = referenceComputeAv(model, contexts[i]!, contexts[j]!, tclass, bools, requested);
    const got = ss.computeAvReason(sids[i]!, sids[j]!, tclass, requested);
    const where = `${label} seed=${SEED} q=${q} s=${formatContext(model, contexts[i]!)} t=${formatContext(model, contexts[j]!)} class=${model.classes[tclass - 1]!.name} req=0x${requested.toString(16)}`;
    if (model.handleUnknown === 'allow') exp.allowed = (exp.allowed | ~known) >>> 0;
    expect({ ...got, seqno: 0 }, where).toEqual(exp);
    if (exp.allowed !== 0) allowedSeen++;
    const grant = requested !== 0 && ((requested & ~exp.allowed) >>> 0 === 0 || (exp.flags & AVD_FLAGS_PERMISSIVE) !== 0);
    // requested 0 asks for nothing: the single path refuses it with E_BAD_ARGUMENT (never an allow)
    if (requested === 0) expect(() => ss.hasPermNoAudit(sids[i]!, sids[j]!, tclass, requested), where).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT' }));
    else expect(ss.hasPermNoAudit(sids[i]!, sids[j]!, tclass, requested), `hasPermNoAudit ${where}`).toBe(grant);
  }
  // the run must exercise real grants, not only empty vectors
  expect(allowedSeen, `${label}: decisions with allowed != 0`).toBeGreaterThan(queries / 50);
}

describe('Wasm engine == reference on real policies', () => {
  const embedded = (() => {
    try {
      return existsSync(embeddedPolicyPath());
    } catch {
      return false;
    }
  })();
  test.skipIf(!embedded)('embedded sVirt policy, 100,000 queries', () => {
    differential(loadEmbeddedPolicy(), 'embedded', 100_000, 80);
  });
  if (!embedded) console.warn(`engine-policies: ${join('policies', 'svirt.conf')} is missing; the embedded-policy differential is skipped`);

  const debian = existsSync(DEBIAN);
  test.skipIf(!debian)('Debian refpolicy policy.33, 20,000 queries', () => {
    differential(loadPolicyFile(DEBIAN), 'debian', 20_000, 200);
  });
  if (!debian) console.warn(`engine-policies: ${DEBIAN} is missing (apt-get install selinux-policy-default checkpolicy libsepol-dev); skipped`);
});
