/**
 * Adversarial fail-closed checks through the public API (createSecurityServer, loadEmbeddedPolicy)
 * and the worker-side engine (WasmEngine.create / reload over exported images).
 *
 * Invariant under test everywhere: malformed input is a denial or a typed error, never a grant the
 * well-formed policy would refuse, and never an uncaught trap. Oracles are the intact server/image
 * (same queries, same mode), not hard-coded verdicts.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadEmbeddedPolicy } from '../../src/policy/load.js';
import type { PolicyModel } from '../../src/policy/model.js';
import { createSecurityServer, type WasmSecurityServer } from '../../src/security/server.js';
import { WasmEngine } from '../../src/wasm/engine.js';
import { H_SEAL } from '../../src/wasm/layout.js';
import { imageHeader } from '../../src/policy/image.js';
import * as L from '../../src/wasm/layout.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

const CONTEXTS = [
  'system_u:system_r:svirt_t:s0:c1,c2',
  'system_u:system_r:svirt_t:s0:c3,c4',
  'system_u:object_r:svirt_image_t:s0:c1,c2',
  'system_u:object_r:svirt_image_t:s0:c3,c4',
  'system_u:system_r:virtd_t:s0-s0:c0.c1023',
  'unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023',
  'system_u:object_r:virt_content_t:s0',
];

function embedded(enforcing = true): { ss: WasmSecurityServer; sids: number[] } {
  const ss = createSecurityServer(loadEmbeddedPolicy(), { enforcing });
  return { ss, sids: CONTEXTS.map((c) => ss.contextToSid(c)) };
}

/** the full defined-permission mask of a class */
function knownMask(model: PolicyModel, tclass: number): number {
  const n = model.classes[tclass - 1]!.perms.length;
  return n >= 32 ? 0xffffffff : ((1 << n) - 1) >>> 0;
}

const BAD_NUMBERS = [0, -0, -1, -28, 0.5, 28.5, Number.NaN, Infinity, -Infinity, 2 ** 32, 2 ** 32 + 28, 2 ** 53, -(2 ** 32) + 28, 0xffffffff, 1e308];

/** 'error' when `f` throws an E_BAD_ARGUMENT SvirtError, else its result (any other throw fails the test) */
function outcome<T>(f: () => T): T | 'error' {
  try {
    return f();
  } catch (e) {
    expect((e as { code?: string }).code, String(e)).toBe('E_BAD_ARGUMENT');
    return 'error';
  }
}

describe('numeric edge cases: a typed error or a denial in every mode', () => {
  for (const enforcing of [true, false]) {
    test(`SIDs, classes and masks that are not u32 or were never issued (enforcing=${enforcing})`, () => {
      const { ss, sids } = embedded(enforcing);
      const s = sids[0]!;
      const t = sids[2]!;
      const file = ss.classValue('file');
      const read = ss.permMask(file, ['read']);
      expect(ss.hasPermNoAudit(s, t, file, read)).toBe(true);
      const nclasses = ss.model.classes.length;
      const neverIssued = [Math.max(...sids) + 1, 1000, 0x7fffffff];
      const isU32 = (v: number): boolean => v >>> 0 === v;
      // [ssid, tsid, tclass, requested]
      const cases: Array<[number, number, number, number]> = [];
      for (const x of [...BAD_NUMBERS, ...neverIssued]) cases.push([x, t, file, read], [s, x, file, read]);
      for (const c of [...BAD_NUMBERS, nclasses + 1, 0xffff, 0x10000 + file]) cases.push([s, t, c, read]);
      // a request that wraps to a granted bit if truncated mod 2^32 (or ToInt32'd) must not pass
      for (const r of [0, -0, 2 ** 32 + read, read + 0.5, -(2 ** 32) + read, Number.NaN, -read]) cases.push([s, t, file, r]);
      let audits = 0;
      ss.onAudit(() => audits++);
      for (const [a, b, c, r] of cases) {
        const label = `${a} ${b} ${c} ${r}`;
        const malformed = ![a, b, c, r].every(isU32) || r === 0;
        // malformed: E_BAD_ARGUMENT before the engine; well-formed but unknown SID/class: denied
        expect(outcome(() => ss.hasPermNoAudit(a, b, c, r)), label).toBe(malformed ? 'error' : false);
        expect(outcome(() => ss.hasPerm(a, b, c, r, { pid: 1 })), label).toBe(malformed ? 'error' : false);
        const av = outcome(() => ss.computeAvReason(a, b, c, r));
        if (![a, b, c, r].every(isU32)) expect(av, label).toBe('error');
        else if (r !== 0) expect(av === 'error' ? av : av.allowed & r, label).toBe(0); // r 0: a real decision, nothing asked
        const av3 = outcome(() => ss.computeAv(a, b, c));
        if (a === s && b === t && c === file) expect(av3).not.toBe('error'); // only the request was bad
        else if ([a, b, c].every(isU32)) expect(av3 === 'error' ? av3 : av3.allowed, label).toBe(0);
        else expect(av3, label).toBe('error');
      }
      // nothing malformed was cached: the cache holds at most the one valid decision
      expect(ss.avcStats().activeNodes).toBeLessThanOrEqual(1);
      expect(audits).toBe(0); // undecidable checks are denied without a record (no STATUS_OK decision)
    });
  }

  test('requested bits above the class permissions: denied and audited under deny/reject, granted only under allow', () => {
    for (const hu of ['deny', 'reject', 'allow'] as const) {
      const ss = createSecurityServer(loadEmbeddedPolicy(), { handleUnknown: hu });
      const s = ss.contextToSid(CONTEXTS[0]!);
      const t = ss.contextToSid(CONTEXTS[2]!);
      for (let c = 1; c <= ss.model.classes.length; c++) {
        const known = knownMask(ss.model, c);
        if (known === 0xffffffff) continue;
        const above = ~known >>> 0;
        const top = 0x80000000;
        const allowed = ss.computeAv(s, t, c).allowed;
        expect(ss.hasPermNoAudit(s, t, c, top), `${hu} class ${c}`).toBe(hu === 'allow');
        expect(ss.hasPermNoAudit(s, t, c, above), `${hu} class ${c}`).toBe(hu === 'allow');
        // an unknown bit never smuggles a known one: known | unknown is granted iff known alone is (allow)
        if ((allowed & known) !== 0) {
          const k = allowed & known & -(allowed & known);
          expect(ss.hasPermNoAudit(s, t, c, (k | top) >>> 0)).toBe(hu === 'allow');
        }
        expect((ss.computeAv(s, t, c).auditdeny & above) >>> 0).toBe(above);
      }
    }
  });
});

describe('checkBatch', () => {
  const mk = (n: number, fill = 0): Uint32Array => new Uint32Array(n).fill(fill);

  test('bad n, mismatched lengths and wrong array kinds are E_BAD_ARGUMENT errors that deny every out slot first', () => {
    const { ss, sids } = embedded();
    const file = ss.classValue('file');
    const read = ss.permMask(file, ['read']);
    const s = mk(4, sids[0]);
    const t = mk(4, sids[2]);
    const c = mk(4, file);
    const r = mk(4, read);
    const badArgument = expect.objectContaining({ code: 'E_BAD_ARGUMENT' });
    for (const n of [-1, 5, 1.5, Number.NaN, Infinity, 2 ** 32, -0.5]) {
      const out = new Uint8Array(4).fill(7);
      expect(() => ss.checkBatch(s, t, c, r, out, n), String(n)).toThrow(badArgument);
      expect([...out]).toEqual([0, 0, 0, 0]);
    }
    for (const [a, b, d, e, o] of [
      [mk(3), mk(4), mk(4), mk(4), new Uint8Array(4)], // a shorter ssid used to leave out[3] unwritten
      [mk(4), mk(3), mk(4), mk(4), new Uint8Array(4)],
      [mk(4), mk(4), mk(3), mk(4), new Uint8Array(4)],
      [mk(4), mk(4), mk(4), mk(3), new Uint8Array(4)],
      [mk(4), mk(4), mk(4), mk(4), new Uint8Array(3)],
      [mk(4), mk(4), mk(4), mk(4), new Uint8Array(5)],
    ] as const) {
      o.fill(1);
      expect(() => ss.checkBatch(a, b, d, e, o)).toThrow(badArgument);
      expect(o.every((x) => x === 0)).toBe(true);
    }
    // other array kinds: TypedArray#set would wrap 2^32 + sid to sid (a grant the single path denies)
    const f64 = (x: number): Uint32Array => Float64Array.of(x) as unknown as Uint32Array;
    const one = new Uint8Array(1);
    expect(() => ss.hasPermNoAudit(2 ** 32 + sids[0]!, sids[2]!, file, read)).toThrow(badArgument);
    one[0] = 1;
    expect(() => ss.checkBatch(f64(2 ** 32 + sids[0]!), f64(sids[2]!), f64(file), f64(read), one)).toThrow(/checkBatch/);
    expect(one[0]).toBe(0);
    expect(() => ss.checkBatch(mk(1, sids[0]), mk(1, sids[2]), mk(1, file), f64(2 ** 32 + read), one)).toThrow(/checkBatch/);
    const plain = (x: number): Uint32Array => [x] as unknown as Uint32Array;
    expect(() => ss.checkBatch(plain(sids[0]!), plain(sids[2]!), plain(file), plain(read), one)).toThrow(/checkBatch/);
    expect(() => ss.checkBatch(mk(1, sids[0]), mk(1, sids[2]), mk(1, file), mk(1, read), [0] as unknown as Uint8Array)).toThrow(/checkBatch/);
    expect(one[0]).toBe(0);
    // n smaller than every array: only the first n results are written
    const out = new Uint8Array(4).fill(7);
    ss.checkBatch(s, t, c, r, out, 2);
    expect([...out]).toEqual([1, 1, 7, 7]);
    // empty batches
    ss.checkBatch(mk(0), mk(0), mk(0), mk(0), new Uint8Array(0));
    ss.checkBatch(s, t, c, r, out, 0);
    expect([...out]).toEqual([1, 1, 7, 7]);
  });

  test('a batch far above the engine capacity agrees with single checks, invalid entries denied', () => {
    const { ss, sids } = embedded();
    const n = 3 * 4096 + 17;
    const nclasses = ss.model.classes.length;
    const s = new Uint32Array(n);
    const t = new Uint32Array(n);
    const c = new Uint32Array(n);
    const r = new Uint32Array(n);
    const pool = [...sids, 0, 0xffffffff, Math.max(...sids) + 1, 3];
    let x = 0x9e3779b9;
    const next = (m: number): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % m;
    };
    for (let i = 0; i < n; i++) {
      s[i] = pool[next(pool.length)]!;
      t[i] = pool[next(pool.length)]!;
      c[i] = next(nclasses + 3);
      r[i] = next(4) === 0 ? 0 : (1 << next(32)) >>> 0;
    }
    const out = new Uint8Array(n).fill(9);
    ss.checkBatch(s, t, c, r, out);
    for (let i = 0; i < n; i++) {
      // a request of 0 is an error on the single path and a denial in a batch
      const single = r[i] !== 0 && ss.hasPermNoAudit(s[i]!, t[i]!, c[i]!, r[i]!) ? 1 : 0;
      if (out[i] !== single) expect(`#${i} ${s[i]} ${t[i]} ${c[i]} ${r[i]}: batch ${out[i]}`).toBe(`single ${single}`);
      if (s[i] === 0 || t[i] === 0 || c[i] === 0 || c[i]! > nclasses || r[i] === 0) expect(out[i]).toBe(0);
    }
  });
});

describe('modes, booleans and reloads', () => {
  const permissiveModel = (): PolicyModel =>
    svirtExampleBuilder()
      .type('perm_t', ['domain'], { permissive: true })
      .role('perm_r', ['perm_t'])
      .user('perm_u', ['perm_r'], 's0-s0:c0.c1023', 's0')
      .build();

  test('permissive domain grants (flagged) in both modes; the rest follows setEnforcing toggles with flushes', () => {
    const ss = createSecurityServer(permissiveModel());
    const p = ss.contextToSid('perm_u:perm_r:perm_t:s0');
    const g = ss.contextToSid('system_u:system_r:svirt_t:s0:c1,c2');
    const img = ss.contextToSid('system_u:object_r:svirt_image_t:s0:c3,c4'); // other categories: MCS denies
    const file = ss.classValue('file');
    const read = ss.permMask(file, ['read']);
    for (let round = 0; round < 3; round++) {
      expect(ss.hasPermNoAudit(g, img, file, read), `enforcing round ${round}`).toBe(false);
      expect(ss.hasPermNoAudit(p, img, file, read)).toBe(true);
      expect(ss.computeAv(p, img, file).flags & 1).toBe(1);
      ss.setEnforcing(false);
      expect(ss.hasPermNoAudit(g, img, file, read)).toBe(true); // permissive grant (cached once)
      expect(ss.hasPermNoAudit(g, img, file, read)).toBe(true);
      ss.setEnforcing(false); // idempotent
      ss.setEnforcing(true); // must flush the permissive grant-once nodes
      expect(ss.hasPermNoAudit(g, img, file, read), `after re-enforce round ${round}`).toBe(false);
      const out = new Uint8Array(1);
      ss.checkBatch(Uint32Array.of(g), Uint32Array.of(img), Uint32Array.of(file), Uint32Array.of(read), out);
      expect(out[0]).toBe(0);
      ss.setEnforcing(true);
    }
    // bad input stays denied even for the permissive domain and in permissive mode
    ss.setEnforcing(false);
    expect(ss.hasPermNoAudit(p, img, 0, read)).toBe(false);
    expect(ss.hasPermNoAudit(p, 0, file, read)).toBe(false);
    expect(() => ss.hasPermNoAudit(p, img, file, 0)).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT' }));
  });

  test('setBoolean/getBoolean with unknown names throw and change nothing', () => {
    const { ss, sids } = embedded();
    const before = ss.seqno;
    for (const name of ['', 'no_such_bool', '__proto__', 'constructor', 'toString', 'virt_use_execmem\0', ' virt_use_execmem']) {
      expect(() => ss.setBoolean(name, true), JSON.stringify(name)).toThrow();
      expect(() => ss.getBoolean(name), JSON.stringify(name)).toThrow();
    }
    expect(ss.seqno).toBe(before);
    expect(() => createSecurityServer(loadEmbeddedPolicy(), { booleans: { __proto__: true } as Record<string, boolean> })).not.toThrow();
    expect(() => createSecurityServer(loadEmbeddedPolicy(), { booleans: { nope: true } })).toThrow();
    const file = ss.classValue('file');
    expect(ss.hasPermNoAudit(sids[0]!, sids[2]!, file, ss.permMask(file, ['read']))).toBe(true);
  });

  /** every decision of `ss` over sids x sids x classes (computeAv + an AVC check of the full mask) */
  function snapshot(ss: WasmSecurityServer, sids: readonly number[]): string[] {
    const out: string[] = [];
    for (const s of sids) {
      for (const t of sids) {
        for (let c = 1; c <= ss.model.classes.length; c++) {
          const d = ss.computeAv(s, t, c);
          const all = knownMask(ss.model, c);
          out.push(`${s} ${t} ${c} ${d.allowed} ${d.auditdeny} ${ss.hasPermNoAudit(s, t, c, all)} ${ss.hasPermNoAudit(s, t, c, d.allowed & all || 1)}`);
        }
      }
    }
    return out;
  }

  test('reload with a model the image builder refuses keeps the old policy, seqno and SIDs', () => {
    const model = svirtExampleBuilder().build();
    const ss = createSecurityServer(model);
    const sids = ['system_u:system_r:svirt_t:s0:c1,c2', 'system_u:object_r:svirt_image_t:s0:c1,c2', 'system_u:object_r:svirt_image_t:s0:c3'].map((c) => ss.contextToSid(c));
    const before = snapshot(ss, sids);
    const seq = ss.seqno;
    const bad = structuredClone(model) as PolicyModel & { classes: Array<{ perms: string[] }> };
    bad.classes[0]!.perms = Array.from({ length: 33 }, (_, i) => `p${i}`);
    expect(() => ss.reload(bad)).toThrow(/33 permissions/);
    expect(ss.seqno).toBe(seq);
    expect(ss.model).toBe(model);
    expect(snapshot(ss, sids)).toEqual(before);
  });

  test('reload with a model the Wasm loader refuses (type_attr_map out of range) denies nothing new and grants nothing new', () => {
    const model = svirtExampleBuilder().build();
    const ss = createSecurityServer(model);
    const ctx = ['system_u:system_r:svirt_t:s0:c1,c2', 'system_u:object_r:svirt_image_t:s0:c1,c2', 'system_u:system_r:unconfined_t:s0-s0:c0.c1023'];
    const sids = ctx.map((c) => ss.contextToSid(c));
    const before = snapshot(ss, sids); // also fills the AVC with grants of the old policy
    const seq = ss.seqno;
    // a model whose types/attributes are all present but whose first type_attr_map list names a
    // type value that does not exist: buildPolicyImage copies it, imageLoad rejects it
    const bad = structuredClone(model) as PolicyModel & { typeAttrMap: number[][] };
    bad.typeAttrMap[0] = [...(bad.typeAttrMap[0] ?? [1]), 0xfff0];
    expect(() => ss.reload(bad)).toThrow();
    expect(ss.seqno).toBe(seq);
    expect(ss.model).toBe(model);
    // kernel semantics (security_load_policy failing): the old policy stays, fully
    expect(snapshot(ss, sids)).toEqual(before);
    expect(ctx.map((c) => ss.contextToSid(c))).toEqual(sids);
    expect(ss.sidToContext(sids[0]!)).toBe(ctx[0]);
    // and a later good reload still works
    ss.reload(model);
    expect(ss.seqno).toBe(seq + 1);
    expect(snapshot(ss, sids)).toEqual(before); // same policy → same decisions
  });
});

describe('contexts', () => {
  test('NUL bytes, huge strings and many categories are typed errors or valid SIDs, never crashes', () => {
    const { ss, sids } = embedded();
    const base = 'system_u:system_r:svirt_t:s0';
    const all = Array.from({ length: 1024 }, (_, i) => `c${i}`).join(',');
    const bad = [
      '',
      '\0',
      `${base}\0`,
      `${base}:c1\0,c2`,
      `system_u\0:system_r:svirt_t:s0`,
      `${base}:c1024`,
      `${base}:c1,c1`,
      `${base}:c5.c1`,
      `${base}:${'c1,'.repeat(100_000)}c2`,
      'x'.repeat(1_000_000),
      `${base}:${'c'.repeat(500_000)}`,
      `${':'.repeat(100_000)}`,
      `${base}-${'s0-'.repeat(10_000)}s0`,
      `${base}:c0.c1023-s0`,
      'system_u:system_r:svirt_t:s1',
      'system_u:system_r:svirt_t',
    ];
    for (const text of bad) {
      let sid: number | undefined;
      try {
        sid = ss.contextToSid(text);
      } catch (e) {
        expect(e, JSON.stringify(text.slice(0, 60))).toBeInstanceOf(Error);
        expect((e as { code?: string }).code, JSON.stringify(text.slice(0, 60))).toMatch(/^E_/);
        continue;
      }
      // accepted: must round-trip and must not grant more than its canonical twin
      expect(ss.contextToSid(ss.sidToContext(sid))).toBe(sid);
    }
    const many = ss.contextToSid(`system_u:system_r:svirt_t:s0:${all}`);
    expect(ss.sidToContext(many)).toBe('system_u:system_r:svirt_t:s0:c0.c1023');
    const file = ss.classValue('file');
    const read = ss.permMask(file, ['read']);
    // the server still decides normally after all of the above (MCS: c1,c2 reads c1,c2, not c3,c4)
    expect(ss.hasPermNoAudit(sids[0]!, sids[2]!, file, read)).toBe(true);
    expect(ss.hasPermNoAudit(sids[0]!, sids[3]!, file, read)).toBe(false);
  });
});

describe('corrupted policy images', () => {
  const ss = createSecurityServer(loadEmbeddedPolicy());
  const sids = CONTEXTS.map((c) => ss.contextToSid(c));
  const queries: Array<[number, number, number]> = [];
  for (const s of [...sids, 3]) for (const t of [...sids, 3]) for (let c = 1; c <= ss.model.classes.length; c++) queries.push([s, t, c]);
  const image = ss.exportImage();
  const sidBlob = ss.exportSidTable();
  const intact = WasmEngine.create(image, sidBlob);
  const oracle = queries.map(([s, t, c]) => intact.computeAv(s, t, c).allowed);
  const known = queries.map(([, , c]) => knownMask(ss.model, c));

  /** the first query the engine grants beyond the intact image (within defined permissions), or undefined */
  function excess(e: WasmEngine): string | undefined {
    for (let i = 0; i < queries.length; i++) {
      const [s, t, c] = queries[i]!;
      const d = e.computeAv(s, t, c);
      const extra = d.allowed & ~oracle[i]! & known[i]!;
      if (extra !== 0) return `s=${s} t=${t} c=${c} allowed=0x${(d.allowed >>> 0).toString(16)} intact=0x${(oracle[i]! >>> 0).toString(16)}`;
      // the AVC path must agree with compute_av on the mutated image
      if (e.hasPermNoAudit(s, t, c, known[i]!) && (oracle[i]! & known[i]!) !== known[i]!) return `AVC grant s=${s} t=${t} c=${c}`;
    }
    return undefined;
  }

  const flips = fc.array(fc.record({ at: fc.nat({ max: image.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 4 });
  const mutate = (src: Uint8Array, fl: ReadonlyArray<{ at: number; xor: number }>): Uint8Array => {
    const m = src.slice();
    for (const { at, xor } of fl) m[at]! ^= xor;
    return m;
  };
  const warm = (e: WasmEngine): void => {
    for (const [s, t, c] of queries) e.hasPermNoAudit(s, t, c, 0xffffffff);
  };

  test('intact exported image round-trips through WasmEngine.create and reload', () => {
    expect(imageHeader(image, H_SEAL)).not.toBe(0);
    const e = WasmEngine.create(image.slice(), sidBlob);
    expect(excess(e)).toBeUndefined();
    e.reload(image.slice(), sidBlob);
    expect(excess(e)).toBeUndefined();
  });

  test('known fail-open inputs without the seal: an AV allowed bit and a TYPE_PERMISSIVE flag are valid data', () => {
    // found by the property below before the seal existed; both load and grant beyond the intact image
    const unsealed = image.slice();
    new DataView(unsealed.buffer).setUint32(H_SEAL, 0, true);
    const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
    const avtab = dv.getUint32(L.H_SECTIONS + L.SEC_AVTAB * 8, true);
    const types = dv.getUint32(L.H_SECTIONS + L.SEC_TYPES * 8, true);
    const flipped = [
      [{ at: avtab + L.AV_ALLOWED + 1, xor: 0x02 }], // bit 9 of the first AV record's allowed
      [{ at: types + (ss.model.types.findIndex((t) => t.name === 'svirt_t')) * L.TYPE_REC_SIZE + L.TYPE_PERMISSIVE, xor: 1 }],
    ];
    for (const fl of flipped) {
      // unsealed: the structural validator accepts it (documented limit: data is data)...
      expect(() => WasmEngine.create(mutate(unsealed, fl), sidBlob)).not.toThrow();
      // ...sealed, as exportImage ships it: refused, and a running engine keeps its intact policy
      expect(() => WasmEngine.create(mutate(image, fl), sidBlob)).toThrow(/checksum/);
      const e = WasmEngine.create(image.slice(), sidBlob);
      warm(e);
      expect(() => e.reload(mutate(image, fl), sidBlob)).toThrow(/checksum/);
      expect(excess(e)).toBeUndefined();
      expect(e.computeAv(sids[0]!, sids[2]!, ss.classValue('file')).status).toBe(L.STATUS_OK);
    }
  });

  test('sealed images, any 1-4 byte flips: refused, and a failed reload keeps the intact policy (create and reload)', () => {
    fc.assert(
      fc.property(flips, fc.boolean(), (fl, viaReload) => {
        const m = mutate(image, fl);
        if (m.every((b, i) => b === image[i])) return; // flips cancelled out
        if (viaReload) {
          const e = WasmEngine.create(image.slice(), sidBlob);
          warm(e);
          expect(() => e.reload(m, sidBlob)).toThrow();
          expect(excess(e), JSON.stringify(fl)).toBeUndefined();
        } else {
          expect(() => WasmEngine.create(m, sidBlob), JSON.stringify(fl)).toThrow();
        }
      }),
      { seed: 0xc0ffee, numRuns: 200 },
    );
  });

  test('unsealed images, structural flips: refused or decided without a trap; a refused reload denies everything', () => {
    const unsealed = image.slice();
    new DataView(unsealed.buffer).setUint32(H_SEAL, 0, true);
    const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
    const sec = (id: number): [number, number] => [dv.getUint32(L.H_SECTIONS + id * 8, true), dv.getUint32(L.H_SECTIONS + id * 8 + 4, true)];
    const structural = [L.SEC_TYPE_ATTR, L.SEC_CLASSES, L.SEC_CONSTRAINTS, L.SEC_CEXPR, L.SEC_AV_CLASSMAP, L.SEC_AV_GROUPS, L.SEC_AV_TARGETS]
      .map(sec)
      .filter(([, n]) => n > 0);
    const headerEnd = L.H_SECTIONS + L.NSECTIONS * 8;
    const pos = fc.oneof(fc.nat({ max: headerEnd - 1 }), ...structural.map(([off, n]) => fc.integer({ min: off, max: off + n - 1 })));
    let rejected = 0;
    let loaded = 0;
    fc.assert(
      fc.property(fc.array(fc.record({ at: pos, xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 3 }), fc.boolean(), (fl, viaReload) => {
        const m = mutate(unsealed, fl);
        const e = WasmEngine.create(unsealed.slice(), sidBlob);
        warm(e);
        try {
          if (viaReload) e.reload(m, sidBlob);
          else e.loadImage(m);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('E_WASM');
          rejected++;
          if (/checksum/.test(String(err))) {
            // the seal word itself was hit: refused before loading, the intact policy stays
            expect(excess(e), JSON.stringify(fl)).toBeUndefined();
            return;
          }
          // the core is unloaded: no miss and no cached hit may grant anything
          for (const [s, t, c] of queries) {
            expect(e.hasPermNoAudit(s, t, c, 1), `${JSON.stringify(fl)} ${s} ${t} ${c}`).toBe(false);
            expect(e.computeAv(s, t, c).status).toBe(L.STATUS_NO_POLICY);
          }
          return;
        }
        loaded++;
        // accepted: every decision is made without a trap (status -1 would be a caught trap)
        for (const [s, t, c] of queries) expect(e.computeAv(s, t, c).status, JSON.stringify(fl)).not.toBe(-1);
      }),
      { seed: 0x5eed, numRuns: 150 },
    );
    expect(rejected).toBeGreaterThan(0);
    expect(loaded).toBeGreaterThan(0);
  });
});
