/**
 * Differential: the binary reader against the policy-text front end (src/policy/load.ts).
 * - Fixture: binary-mini.conf compiled by checkpolicy vs parsePolicyText of the same text — the
 *   name-normalized models are equal and referenceComputeAv gives the same decisions for every valid
 *   context pair we enumerate, every class and every boolean assignment.
 * - Debian: policy.33 vs parsePolicyText of `checkpolicy -M -b policy.33 -F` — equal normalized
 *   models, and equal decisions on a deterministic sample of type pairs.
 * Symbol values may be numbered differently by the two front ends, so everything is compared by name.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CategorySet } from '../../src/context/categories.js';
import { readBinaryPolicy } from '../../src/policy/binary.js';
import { parsePolicyText } from '../../src/policy/load.js';
import { buildSymbolIndex, type ContextValue, type MlsRange, type PolicyModel } from '../../src/policy/model.js';
import { referenceComputeAv } from '../../src/security/reference.js';
import { DEBIAN_POLICY, HAVE_CHECKPOLICY, HAVE_DEBIAN_POLICY, compilePolicy, fixtureText, tempDir, warnSkip } from './binary-env.js';
import { normalize } from './binary-normalize.js';

if (!HAVE_CHECKPOLICY) warnSkip('binary-text tests need checkpolicy');
if (!HAVE_DEBIAN_POLICY) warnSkip(`binary-text Debian differential needs ${DEBIAN_POLICY}`);

/** A context by names: [user, role, type, low cats, high cats] on the model's s0/s1 */
type NamedContext = { user: string; role: string; type: string; low: [string, number[]]; high: [string, number[]] };

function toContext(m: PolicyModel, c: NamedContext): ContextValue {
  const ix = buildSymbolIndex(m);
  const level = ([s, cats]: [string, number[]]) => ({ sens: ix.sensitivities.get(s)!.value, cats: CategorySet.of(...cats) });
  const range: MlsRange = { low: level(c.low), high: level(c.high) };
  return { user: ix.users.get(c.user)!.value, role: ix.roles.get(c.role)!.value, type: ix.types.get(c.type)!.value, range };
}

function permSet(m: PolicyModel, tclass: number, mask: number): string[] {
  const perms = m.classes[tclass - 1]!.perms;
  return perms.filter((_, bit) => ((mask >>> bit) & 1) === 1).sort();
}

/** decision by names for one (scon, tcon, class name, bool assignment by name) */
function decide(m: PolicyModel, s: NamedContext, t: NamedContext, cls: string, bools: Record<string, boolean>) {
  const tclass = buildSymbolIndex(m).classes.get(cls)!.value;
  const states = m.bools.map((b) => bools[b.name] ?? b.defaultState);
  const d = referenceComputeAv(m, toContext(m, s), toContext(m, t), tclass, states);
  return {
    allowed: permSet(m, tclass, d.allowed),
    auditallow: permSet(m, tclass, d.auditallow),
    dontaudit: permSet(m, tclass, ~d.auditdeny >>> 0),
    flags: d.flags,
  };
}

describe.skipIf(!HAVE_CHECKPOLICY)('fixture: binary vs text', () => {
  const text = (): PolicyModel => parsePolicyText(fixtureText(), 'binary-mini.conf');
  const bin = (): PolicyModel => readBinaryPolicy(compilePolicy(fixtureText(), 33));

  it('normalized models are equal', () => {
    expect(normalize(bin())).toEqual(normalize(text()));
  });

  it('reference decisions agree for every context pair, class and boolean assignment', () => {
    const b = bin();
    const t = text();
    const subjects: NamedContext[] = [];
    const objects: NamedContext[] = [];
    const ranges: Array<[[string, number[]], [string, number[]]]> = [
      [['s0', [1]], ['s0', [1, 2]]],
      [['s0', []], ['s1', [0, 1, 2, 3, 4, 5, 6, 7]]],
    ];
    for (const u of b.users) {
      for (const rv of u.roles) {
        const role = b.roles[rv - 1]!;
        for (const tv of role.types) {
          for (const [low, high] of ranges) subjects.push({ user: u.name, role: role.name, type: b.types[tv - 1]!.name, low, high });
        }
      }
    }
    for (const ty of b.types.filter((x) => !x.attribute)) {
      for (const [low, high] of ranges) objects.push({ user: 'system_u', role: 'object_r', type: ty.name, low, high });
    }
    const boolNames = b.bools.map((x) => x.name);
    let compared = 0;
    for (let mask = 0; mask < 1 << boolNames.length; mask++) {
      const bools = Object.fromEntries(boolNames.map((n, i) => [n, ((mask >>> i) & 1) === 1]));
      for (const s of subjects) {
        for (const o of [...objects, ...subjects]) {
          for (const cls of b.classes.map((c) => c.name)) {
            expect(decide(b, s, o, cls, bools), `${s.type} ${o.type}:${cls} ${JSON.stringify(bools)}`).toEqual(decide(t, s, o, cls, bools));
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(20_000);
  });
});

describe.skipIf(!HAVE_CHECKPOLICY || !HAVE_DEBIAN_POLICY)('Debian policy.33: binary vs its text form', () => {
  it('normalized models are equal and sampled decisions agree', () => {
    const conf = join(tempDir(), 'debian.conf');
    execFileSync('checkpolicy', ['-M', '-b', DEBIAN_POLICY, '-F', '-o', conf], { stdio: 'pipe' });
    const t = parsePolicyText(readFileSync(conf, 'utf8'), conf);
    const b = readBinaryPolicy(readFileSync(DEBIAN_POLICY), DEBIAN_POLICY);
    const nb = normalize(b);
    const nt = normalize(t);
    for (const key of Object.keys(nb) as Array<keyof typeof nb>) {
      expect(nb[key], key).toEqual(nt[key]);
    }
    // deterministic sample of type pairs (LCG), system_u:system_r subjects vs object_r objects
    const ix = buildSymbolIndex(b);
    const sysR = ix.roles.get('system_r')!;
    const domains = sysR.types.map((v) => b.types[v - 1]!.name);
    const objects = b.types.filter((x) => !x.attribute).map((x) => x.name);
    const classes = ['file', 'dir', 'process', 'tcp_socket', 'chr_file', 'unix_stream_socket'];
    let seed = 12345;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const lvl: [string, number[]] = ['s0', []];
    const high: [string, number[]] = ['s0', [...Array(1024).keys()]];
    for (let i = 0; i < 400; i++) {
      const s: NamedContext = { user: 'system_u', role: 'system_r', type: domains[next(domains.length)]!, low: lvl, high };
      const o: NamedContext = { user: 'system_u', role: 'object_r', type: objects[next(objects.length)]!, low: lvl, high: lvl };
      const cls = classes[next(classes.length)]!;
      expect(decide(b, s, o, cls, {}), `${s.type} ${o.type}:${cls}`).toEqual(decide(t, s, o, cls, {}));
    }
  });
});
