/**
 * The model read from Debian's policy.33 matches what setools' `seinfo` reports for the same file
 * (its statistics block, parsed at test time).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readBinaryPolicy } from '../../src/policy/binary.js';
import type { PolicyModel } from '../../src/policy/model.js';
import { DEBIAN_POLICY, HAVE_DEBIAN_POLICY, HAVE_SEINFO, warnSkip } from './binary-env.js';

const READY = HAVE_DEBIAN_POLICY && HAVE_SEINFO;
if (!READY) warnSkip(`binary-seinfo tests need ${DEBIAN_POLICY} and seinfo (setools)`);

/** "  Classes:   134    Permissions:  425" → { Classes: 134, Permissions: 425, ... } */
function seinfoStats(): Record<string, number> {
  const out = execFileSync('seinfo', [DEBIAN_POLICY], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const stats: Record<string, number> = {};
  for (const m of out.matchAll(/([A-Za-z_. ]+):\s+(\d+)/g)) stats[m[1]!.trim()] = Number(m[2]);
  return stats;
}

function countAv(m: PolicyModel, specified: number): number {
  let n = m.avtab.filter((e) => e.specified === specified).length;
  for (const c of m.conds) n += c.trueList.filter((e) => e.specified === specified).length + c.falseList.filter((e) => e.specified === specified).length;
  return n;
}

describe.skipIf(!READY)('Debian policy.33 vs seinfo', () => {
  it('counts agree', () => {
    const s = seinfoStats();
    const m = readBinaryPolicy(readFileSync(DEBIAN_POLICY), DEBIAN_POLICY);
    const other = (kind: string): number => m.other.filter((o) => o.kind === kind).length;
    const constraints = m.classes.flatMap((c) => c.constraints);
    const validatetrans = m.classes.flatMap((c) => c.validatetrans);
    const actual: Record<string, number> = {
      Classes: m.classes.length,
      Sensitivities: m.sensitivities.length,
      Categories: m.categories.length,
      Types: m.types.filter((t) => !t.attribute).length,
      Attributes: m.types.filter((t) => t.attribute).length,
      Users: m.users.length,
      Roles: m.roles.length,
      Booleans: m.bools.length,
      'Cond. Expr.': m.conds.length,
      // setools counts avtab type rules and filename transitions together
      Type_trans: other('type_transition'),
      Type_change: other('type_change'),
      Type_member: other('type_member'),
      Range_trans: other('range_transition'),
      'Role allow': m.roleAllows.length,
      Role_trans: other('role_transition'),
      Constraints: constraints.filter((c) => !c.mls).length,
      'MLS Constrain': constraints.filter((c) => c.mls).length,
      Validatetrans: validatetrans.filter((c) => !c.mls).length,
      'MLS Val. Tran': validatetrans.filter((c) => c.mls).length,
      Permissives: m.types.filter((t) => t.permissive).length,
      Polcap: m.policyCaps.length,
      Typebounds: m.types.filter((t) => t.bounds !== 0).length,
      Allowxperm: m.xperms.filter((x) => x.kind === 'allowxperm').length,
      Auditallowxperm: m.xperms.filter((x) => x.kind === 'auditallowxperm').length,
      Dontauditxperm: m.xperms.filter((x) => x.kind === 'dontauditxperm').length,
      'Initial SIDs': m.initialSids.length + other('sid'),
      Fs_use: other('fs_use_xattr') + other('fs_use_trans') + other('fs_use_task') + other('fs_use_genfs') + other('fs_use_none'),
      Genfscon: other('genfscon'),
      Portcon: other('portcon'),
      Netifcon: other('netifcon'),
      Nodecon: other('nodecon'),
      Ibpkeycon: other('ibpkeycon'),
      Ibendportcon: other('ibendportcon'),
    };
    const expected: Record<string, number> = {};
    for (const k of Object.keys(actual)) {
      expect(s[k], `seinfo reports ${k}`).toBeTypeOf('number');
      expected[k] = s[k]!;
    }
    expect(actual).toEqual(expected);
    // seinfo counts raw avtab nodes; the reader merges same-key items inside one conditional branch
    // list (decision-neutral, as cond_compute_av ORs/ANDs them). Unconditional entries are unique, so
    // the merged count is bounded by seinfo's and the unconditional part alone cannot exceed it.
    for (const [name, spec] of [['Allow', 1], ['Auditallow', 2], ['Dontaudit', 4]] as const) {
      const uncond = m.avtab.filter((e) => e.specified === spec).length;
      expect(countAv(m, spec), name).toBeLessThanOrEqual(s[name]!);
      expect(countAv(m, spec), name).toBeGreaterThan(uncond === 0 ? -1 : uncond - 1);
      expect(s[name]! - countAv(m, spec), `${name}: merged duplicates`).toBeLessThan(0.1 * s[name]!);
    }
    expect(m.policyVersion).toBe(33);
    expect(m.mls).toBe(true);
    expect(m.handleUnknown).toBe('allow');
  });
});
