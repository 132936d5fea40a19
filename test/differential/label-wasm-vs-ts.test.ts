/**
 * Differential: new-object labels computed by the Wasm core over the policy image
 * (server.computeNewLabel and computeNewLabelSid, assembly/transition.ts) against the TS computation over the policy model
 * (server.computeNewLabelReference, src/security/compute-sid.ts), which the conformance suite holds
 * to libsepol. Every answer field must match: status, granted, context text, SID, reason — for
 * create (with and without object names), member and relabel, both flavours, first computation
 * and the result index's repeat, across boolean changes and in permissive mode.
 * Policies: seeded random label policies (test/differential/label-policy-gen.ts), the label test
 * fixture, the embedded sVirt policy and (when installed) Debian's policy.33.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicyText } from '../../src/policy/compiler.js';
import { embeddedPolicyPath, loadPolicyFile } from '../../src/policy/load.js';
import type { PolicyModel } from '../../src/policy/model.js';
import type { NewLabelKind } from '../../src/security/compute-sid.js';
import { createSecurityServer, type WasmSecurityServer } from '../../src/security/server.js';
import { LABEL_POLICY } from '../security/compute-fixture.js';
import { DEBIAN_POLICY } from '../conformance/sepol.js';
import { labelQueries } from '../conformance/transition-queries.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { randomContext, randomLabelPolicy, type LabelPolicy } from './label-policy-gen.js';

const KINDS: readonly NewLabelKind[] = ['create', 'member', 'relabel'];

type Answer = Record<string, unknown>;

function outcome(f: () => object): Answer {
  try {
    return { ...f() };
  } catch (e) {
    return { threw: (e as { code?: string }).code ?? String(e) };
  }
}

/** Compare Wasm and TS on every (kind, flavour) of one query; returns the number of comparisons. */
function compare(server: WasmSecurityServer, ssid: number, tsid: number, tclass: number, name: string | undefined, where: string): number {
  let n = 0;
  for (const kind of KINDS) {
    for (const flavour of ['kernel', 'libsepol'] as const) {
      const nm = kind === 'create' ? name : undefined;
      const wasm = outcome(() => server.computeNewLabel(kind, ssid, tsid, tclass, nm, flavour));
      const ts = outcome(() => server.computeNewLabelReference(kind, ssid, tsid, tclass, nm, flavour));
      expect(wasm, `${where} ${kind} ${flavour} ${ssid} ${tsid} ${tclass} ${nm ?? ''}`).toEqual(ts);
      // the SID-only call: the answer's SID, 0 when it has none, the same refusals
      const sid = outcome(() => ({ sid: server.computeNewLabelSid(kind, ssid, tsid, tclass, nm, flavour) }));
      expect(sid, `${where} ${kind} ${flavour} SID`).toEqual('threw' in ts ? ts : { sid: ts['sid'] ?? 0 });
      n++;
    }
  }
  return n;
}

function sids(server: WasmSecurityServer, texts: readonly string[]): number[] {
  const out: number[] = [];
  for (const t of texts) {
    try {
      out.push(server.contextToSid(t));
    } catch {
      // not a valid context of this policy
    }
  }
  return out;
}

function randomRun(p: LabelPolicy, model: PolicyModel, seed: number, enforcing: boolean): { compared: number; statuses: Set<string> } {
  const rnd = seededRng(seed);
  const server = createSecurityServer(model, { enforcing });
  const contexts = sids(server, Array.from({ length: 60 }, () => randomContext(p, rnd)));
  expect(contexts.length).toBeGreaterThan(5);
  const statuses = new Set<string>();
  let compared = 0;
  const classes = p.classes.map((c) => server.classValue(c));
  const queries = Array.from({ length: 150 }, () => ({
    s: contexts[Math.floor(rnd() * contexts.length)]!,
    t: contexts[Math.floor(rnd() * contexts.length)]!,
    c: classes[Math.floor(rnd() * classes.length)]!,
    name: rnd() < 0.3 ? p.names[Math.floor(rnd() * p.names.length)] : undefined,
  }));
  // each query twice (first computation, then the result index), then again after boolean flips
  for (const round of [0, 1]) {
    for (const q of queries) {
      compared += compare(server, q.s, q.t, q.c, q.name, `seed ${seed} round ${round}`);
      statuses.add(String(server.computeNewLabel('create', q.s, q.t, q.c).status));
    }
  }
  for (const b of p.bools) server.setBoolean(b, !server.getBoolean(b));
  for (const q of queries) compared += compare(server, q.s, q.t, q.c, q.name, `seed ${seed} flipped`);
  // refusals agree too: unknown SIDs and classes
  compared += compare(server, 0, contexts[0]!, classes[0]!, undefined, 'ssid 0');
  compared += compare(server, contexts[0]!, 999_999, classes[0]!, undefined, 'tsid unissued');
  compared += compare(server, contexts[0]!, contexts[0]!, 999, undefined, 'bad class');
  return { compared, statuses };
}

/** Compare Wasm and TS on the first `limit` conformance-generator queries over `path`; returns the comparisons made. */
function compareQueryMix(path: string, seed: number, limit: number, label: string): number {
  const model = loadPolicyFile(path);
  const server = createSecurityServer(model);
  const { groups } = labelQueries(model, seed);
  let n = 0;
  for (const line of Object.values(groups).flat().slice(0, limit)) {
    const f = line.split(' ');
    const [s, t] = sids(server, [f[1]!, f[2]!]);
    if (s === undefined || t === undefined) continue;
    let c: number;
    try {
      c = server.classValue(f[3]!);
    } catch {
      continue;
    }
    n += compare(server, s, t, c, f[4], label);
  }
  return n;
}

describe('new-object labels: Wasm core vs TS reference', () => {
  it('agree on 40 seeded random label policies (MLS and not, enforcing and permissive)', () => {
    let compared = 0;
    const statuses = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const p = randomLabelPolicy(seed);
      const model = compilePolicyText(p.text, `random-${seed}.conf`);
      const r = randomRun(p, model, seed * 7919, seed % 4 !== 0);
      compared += r.compared;
      for (const s of r.statuses) statuses.add(s);
    }
    expect(compared).toBeGreaterThan(40 * 900);
    // the policies exercise valid and invalid results (glblub failures depend on the draw)
    expect(statuses.has('ok')).toBe(true);
    expect(statuses.has('invalid')).toBe(true);
  });

  it('agree on the label fixture policy, every context pair and class, with and without the file name', () => {
    const model = compilePolicyText(LABEL_POLICY, 'label.conf');
    const server = createSecurityServer(model);
    const texts: string[] = [];
    for (const u of ['system_u', 'user_u']) for (const r of ['system_r', 'user_r', 'object_r']) for (const t of ['proc_t', 'exec_t', 'tmp_t', 'etc_t', 'tty_t', 'child_t']) for (const l of ['s0', 's0-s1:c0.c3', 's1:c1-s1:c0.c3']) texts.push(`${u}:${r}:${t}:${l}`);
    const ctx = sids(server, texts);
    const classes = model.classes.map((c) => c.value);
    let n = 0;
    for (const s of ctx) for (const t of ctx.slice(0, 20)) for (const c of classes) n += compare(server, s, t, c, c === 2 ? 'resolv.conf' : undefined, 'fixture');
    server.setBoolean('flag', true);
    for (const s of ctx.slice(0, 10)) for (const t of ctx) for (const c of classes) n += compare(server, s, t, c, undefined, 'fixture flag=true');
    expect(n).toBeGreaterThan(5000);
  });

  it('agree on the embedded sVirt policy', () => {
    expect(compareQueryMix(embeddedPolicyPath(), 0x5e1f, 1500, 'embedded')).toBeGreaterThan(500);
  });

  it.skipIf(!existsSync(DEBIAN_POLICY))('agree on Debian policy.33 over the conformance query mix (apt-get install selinux-policy-default when skipped)', () => {
    expect(compareQueryMix(DEBIAN_POLICY, 0xd1ff, 3000, 'debian')).toBeGreaterThan(6000);
  }, 120_000);
});
