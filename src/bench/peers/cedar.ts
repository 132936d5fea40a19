/**
 * Cedar (npm `@cedar-policy/cedar-wasm`, the Node build) as a peer: the flattened sVirt rules
 * (rules.ts) as Cedar policies over entities that carry a type name and a category set.
 *
 *   entity   Label::"N" { type: "svirt_t", sens: 1, cats: [3, 17] }   (one per workload context)
 *   action   Action::"file:read" (class:permission)
 *   TE       permit(principal, action in [...allowed perms...], resource)
 *              when { principal.type == "S" && resource.type == "T" };      one per (S, T, class)
 *   MCS      forbid(principal, action in [...MCS perms of the class...], resource)
 *              when { ["svirt_t"].contains(principal.type) &&
 *                     !(principal.sens >= resource.sens && principal.cats.containsAll(resource.cats)) };
 *
 * The policy set is preparsed once (`preparsePolicySet`); each check is `statefulIsAuthorized` with
 * the two entities of the query (Cedar has no decision cache).
 */
import { benchError } from '../../errors.js';
import { forEachTeRule, permNames, type SvirtRules } from '../rules.js';
import type { Workload } from '../workload.js';
import type { PreparedPeer } from './peer.js';

type CedarModule = typeof import('@cedar-policy/cedar-wasm/nodejs');
type StatefulCall = Parameters<CedarModule['statefulIsAuthorized']>[0];

const str = (s: string): string => JSON.stringify(s);
const action = (cls: string, perm: string): string => `Action::${str(`${cls}:${perm}`)}`;

/** The Cedar policy text for the flattened rules. */
export function cedarPolicies(w: Workload, rules: SvirtRules): string {
  const out: string[] = [];
  const actions = (ci: number, mask: number): string[] => permNames(w.classes[ci]!, mask).map((p) => action(w.classes[ci]!.name, p));
  forEachTeRule(w, rules, (s, t, ci, allowed) => {
    out.push(`permit (principal, action in [${actions(ci, allowed).join(', ')}], resource)\n  when { principal.type == ${str(s)} && resource.type == ${str(t)} };`);
  });
  if (rules.constrainedTypes.size > 0) {
    const bound = [...rules.constrainedTypes].map(str).join(', ');
    w.classes.forEach((_, ci) => {
      const acts = actions(ci, rules.mcsPerms[ci]!);
      if (acts.length === 0) return;
      out.push(
        `forbid (principal, action in [${acts.join(', ')}], resource)\n  when { [${bound}].contains(principal.type) && !(principal.sens >= resource.sens && principal.cats.containsAll(resource.cats)) };`,
      );
    });
  }
  return out.join('\n');
}

let setCounter = 0;

export async function prepareCedar(w: Workload, rules: SvirtRules, opsPerSample: number): Promise<PreparedPeer> {
  let cedar: CedarModule;
  try {
    cedar = await import('@cedar-policy/cedar-wasm/nodejs');
  } catch (e) {
    throw benchError('peer-absent', 'Cedar is not installed (a dev dependency of svirt: npm install --no-save @cedar-policy/cedar-wasm@4.13.0)', e);
  }
  const text = cedarPolicies(w, rules);
  const id = `svirt-bench-${++setCounter}`;
  const parsed = cedar.preparsePolicySet(id, { staticPolicies: text });
  if (parsed.type !== 'success') {
    throw benchError('peer-failed', `Cedar rejected the generated policies: ${parsed.errors.map((e) => e.message).join('; ')}`);
  }
  const entity = (i: number): StatefulCall['entities'][number] => {
    const l = w.labels[i]!;
    return { uid: { type: 'Label', id: String(i) }, attrs: { type: l.typeName, sens: l.sens, cats: [...l.cats] }, parents: [] };
  };
  const entities = w.labels.map((_, i) => entity(i));
  const calls: StatefulCall[] = w.queries.map((q) => {
    const c = w.classes[q.cls]!;
    return {
      principal: { type: 'Label', id: String(q.subj) },
      action: { type: 'Action', id: `${c.name}:${c.perms[q.bit]!}` },
      resource: { type: 'Label', id: String(q.obj) },
      context: {},
      preparsedPolicySetId: id,
      entities: q.subj === q.obj ? [entities[q.subj]!] : [entities[q.subj]!, entities[q.obj]!],
    };
  });
  const decide = (call: StatefulCall): boolean => {
    const a = cedar.statefulIsAuthorized(call);
    if (a.type !== 'success') throw benchError('peer-failed', `Cedar failed: ${a.errors.map((e) => e.message).join('; ')}`);
    return a.response.decision === 'allow';
  };
  const n = Math.min(opsPerSample, calls.length);
  return {
    name: `Cedar ${cedar.getCedarVersion()} (cedar-wasm)`,
    opsPerSample: n,
    note: `statefulIsAuthorized, ${text.split(';').length - 1} policies preparsed, no cache`,
    decideAll(out) {
      for (let i = 0; i < calls.length; i++) out[i] = decide(calls[i]!) ? 1 : 0;
    },
    sample() {
      let granted = 0;
      for (let i = 0; i < n; i++) if (decide(calls[i]!)) granted++;
      return granted;
    },
  };
}
