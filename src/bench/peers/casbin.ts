/**
 * casbin (npm `casbin`) as a peer: the flattened sVirt rules (rules.ts) as a casbin ABAC model.
 *
 *   request  r = sub, obj, cls, perm       sub/obj = { type, sens, cats } (one object per label)
 *   policy   p = stype, ttype, cls, perms, mcs   one line per TE-allowed (source, target, class):
 *            perms = the allowed permissions, mcs = those under the MCS rule, both `|a|b|` lists
 *   role     g = _, _                      `g, svirt_t, mcs_constrained_type` (the MCS attribute)
 *   matcher  TE row matches && has(perms) && (!has(mcs) || !g(sub.type, mcs_constrained_type)
 *                                              || mcsDom(sub, obj))
 *
 * casbin scans its policy lines for every request, so the model keeps one line per TE row (a line
 * per permission would be several times slower). mcsDom is `h1 dom h2` (sensitivity >= and category
 * superset). Checks use `enforceSync`.
 */
import { createRequire } from 'node:module';
import { benchError } from '../../errors.js';
import { forEachTeRule, highDominates, permNames, type SvirtRules } from '../rules.js';
import type { Workload } from '../workload.js';
import type { PreparedPeer } from './peer.js';

export const CASBIN_MODEL = `
[request_definition]
r = sub, obj, cls, perm

[policy_definition]
p = stype, ttype, cls, perms, mcs

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub.type == p.stype && r.obj.type == p.ttype && r.cls == p.cls && permIn(r.perm, p.perms) && (!permIn(r.perm, p.mcs) || !g(r.sub.type, "mcs_constrained_type") || mcsDom(r.sub, r.obj))
`;

interface CasbinLabel {
  readonly type: string;
  readonly sens: number;
  readonly cats: readonly number[];
}

/** The policy lines (`p, …` and `g, …`) for the flattened rules. */
export function casbinPolicy(w: Workload, rules: SvirtRules): string {
  const lines: string[] = [];
  const list = (ci: number, mask: number): string => `|${permNames(w.classes[ci]!, mask).join('|')}|`;
  forEachTeRule(w, rules, (s, t, ci, allowed) => {
    lines.push(`p, ${s}, ${t}, ${w.classes[ci]!.name}, ${list(ci, allowed)}, ${list(ci, allowed & rules.mcsPerms[ci]!)}`);
  });
  for (const t of rules.constrainedTypes) lines.push(`g, ${t}, mcs_constrained_type`);
  return lines.join('\n');
}

export function casbinVersion(): string {
  return (createRequire(import.meta.url)('casbin/package.json') as { version: string }).version;
}

export async function prepareCasbin(w: Workload, rules: SvirtRules, opsPerSample: number): Promise<PreparedPeer> {
  let casbin: typeof import('casbin');
  try {
    casbin = await import('casbin');
  } catch (e) {
    throw benchError('peer-absent', 'casbin is not installed (a dev dependency of svirt: npm install --no-save casbin@5.51.1)', e);
  }
  const policy = casbinPolicy(w, rules);
  const enforcer = await casbin.newEnforcer(casbin.newModelFromString(CASBIN_MODEL), new casbin.StringAdapter(policy));
  await enforcer.addFunction('mcsDom', (s: CasbinLabel, o: CasbinLabel) => highDominates(s, o));
  await enforcer.addFunction('permIn', (perm: string, list: string) => list.includes(`|${perm}|`));
  const labels: CasbinLabel[] = w.labels.map((l) => ({ type: l.typeName, sens: l.sens, cats: l.cats }));
  const subs = w.queries.map((q) => labels[q.subj]!);
  const objs = w.queries.map((q) => labels[q.obj]!);
  const classes = w.queries.map((q) => w.classes[q.cls]!.name);
  const perms = w.queries.map((q) => w.classes[q.cls]!.perms[q.bit]!);
  const n = Math.min(opsPerSample, w.queries.length);
  return {
    name: `casbin ${casbinVersion()}`,
    opsPerSample: n,
    note: `enforceSync, ${policy.split('\n').length} policy lines, no cache`,
    decideAll(out) {
      for (let i = 0; i < subs.length; i++) out[i] = enforcer.enforceSync(subs[i], objs[i], classes[i], perms[i]) ? 1 : 0;
    },
    sample() {
      let granted = 0;
      for (let i = 0; i < n; i++) if (enforcer.enforceSync(subs[i], objs[i], classes[i], perms[i])) granted++;
      return granted;
    },
  };
}
