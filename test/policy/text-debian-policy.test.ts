/**
 * Loads Debian's whole reference policy as `checkpolicy -F` writes it and checks the counts against
 * seinfo/sesearch on the binary it came from. Skips loudly when the Debian packages are missing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEBIAN_BINARY, generateDebianConf, hasTool } from './text-helpers.js';
import { parsePolicyText } from '../../src/policy/load.js';

const conf = generateDebianConf();

function seinfoCounts(): Record<string, number> {
  const out = execFileSync('seinfo', [DEBIAN_BINARY], { encoding: 'utf8' });
  const counts: Record<string, number> = {};
  for (const m of out.matchAll(/([A-Za-z][A-Za-z_. ]*?):\s+(\d+)/g)) counts[m[1]!.trim()] = Number(m[2]);
  return counts;
}

describe.skipIf(!conf)('Debian reference policy (policy.33 → checkpolicy -F → parsePolicyText)', () => {
  const model = conf ? parsePolicyText(readFileSync(conf, 'utf8'), conf) : undefined;

  it('matches seinfo symbol and rule counts', () => {
    const m = model!;
    const s = hasTool('seinfo') ? seinfoCounts() : { Types: 3936, Attributes: 217, Classes: 134, Booleans: 291, 'Cond. Expr.': 321, Constraints: 133, 'MLS Constrain': 110, Users: 7, Roles: 15, Categories: 1024, Sensitivities: 1, 'Initial SIDs': 27, 'Role allow': 32, Polcap: 5 };
    expect(m.mls).toBe(true);
    expect(m.handleUnknown).toBe('allow');
    expect(m.types.filter((t) => !t.attribute).length).toBe(s['Types']);
    expect(m.types.filter((t) => t.attribute).length).toBe(s['Attributes']);
    expect(m.classes.length).toBe(s['Classes']);
    expect(m.bools.length).toBe(s['Booleans']);
    expect(m.conds.length).toBe(s['Cond. Expr.']);
    expect(m.classes.reduce((n, c) => n + c.constraints.filter((x) => !x.mls).length, 0)).toBe(s['Constraints']);
    expect(m.classes.reduce((n, c) => n + c.constraints.filter((x) => x.mls).length, 0)).toBe(s['MLS Constrain']);
    expect(m.users.length).toBe(s['Users']);
    expect(m.roles.length).toBe(s['Roles']);
    expect(m.categories.length).toBe(s['Categories']);
    expect(m.sensitivities.length).toBe(s['Sensitivities']);
    expect(m.initialSids.filter((x) => x.context).length).toBe(s['Initial SIDs']);
    expect(m.roleAllows.length).toBe(s['Role allow']);
    expect(m.policyCaps.length).toBe(s['Polcap']);
    const kinds = (k: string): number => m.other.filter((o) => o.kind === k).length;
    if (s['Type_trans'] !== undefined) {
      expect(kinds('type_transition')).toBe(s['Type_trans']);
      expect(kinds('type_change')).toBe(s['Type_change']);
      expect(kinds('type_member')).toBe(s['Type_member']);
      expect(kinds('range_transition')).toBe(s['Range_trans']);
      expect(kinds('role_transition')).toBe(s['Role_trans']);
      expect(kinds('genfscon')).toBe(s['Genfscon']);
      expect(kinds('portcon')).toBe(s['Portcon']);
      expect(kinds('fs_use_xattr') + kinds('fs_use_trans') + kinds('fs_use_task')).toBe(s['Fs_use']);
    }
  });

  it.skipIf(!hasTool('sesearch'))('has exactly the binary unconditional avtab keys (sesearch)', () => {
    const out = execFileSync('sesearch', ['-A', '--auditallow', '--dontaudit', DEBIAN_BINARY], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const unconditional = out.split('\n').filter((l) => l.trim() !== '' && !l.includes('['));
    expect(model!.avtab.length).toBe(unconditional.length);
  }, 120_000);

  it('gives the sVirt types their MCS constraint', () => {
    const m = model!;
    const proc = m.classes.find((c) => c.name === 'file')!;
    const mcs = proc.constraints.filter((c) => c.mls && c.expr.some((n) => n.written?.includes('mcs_constrained_type')));
    expect(mcs.length).toBeGreaterThan(0);
    const svirt = m.types.find((t) => t.name === 'svirt_t')!;
    const node = mcs[0]!.expr.find((n) => n.written?.includes('mcs_constrained_type'))!;
    expect(node.names).toContain(svirt.value);
  });
});
