/**
 * Property: any JS value at any numeric boundary of the library (hasPerm, hasPermNoAudit,
 * computeAv, WasmEngine.hasPermNoAudit/check, checkBatch, runBatch, BatchRegion.run,
 * CheckPool.checkMany / checkMany) gives either an E_BAD_ARGUMENT error or exactly the answer the
 * single-call path gives for the same well-formed request — never an allow the single path would
 * not give — and every output slot is written (a decision, or a denial before the error).
 *
 * Values: valid SIDs/classes/masks, 2^32 + k, fractions, negatives, -0, NaN, ±Infinity, numeric
 * strings, null, undefined, booleans, bigints, arrays, objects; arrays of mismatched lengths and of
 * the wrong kind (plain arrays, Float64Array, Int32Array, Uint16Array).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { createSecurityServer } from '../../src/security/server.js';
import { CheckPool, checkMany } from '../../src/sim/check-many.js';
import { WasmEngine } from '../../src/wasm/engine.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

const ss = createSecurityServer(svirtExampleBuilder().build());
const SIDS = [
  'system_u:system_r:svirt_t:s0:c1,c2',
  'system_u:system_r:svirt_t:s0:c3,c4',
  'system_u:object_r:svirt_image_t:s0:c1,c2',
  'system_u:object_r:svirt_image_t:s0:c3,c4',
  'system_u:system_r:unconfined_t:s0-s0:c0.c1023',
].map((c) => ss.contextToSid(c));
const FILE = ss.classValue('file');
const CLASSES = [FILE, ss.classValue('process'), 0, ss.model.classes.length + 1];
const MASKS = [1, 2, 3, 0x10, 0x3f, 0x80000000, ss.permMask(FILE, ['read']), ss.permMask(FILE, ['write', 'open'])];

const isU32 = (v: unknown): v is number => typeof v === 'number' && v >>> 0 === v;

/** The single-call answer (1/0) for a well-formed request; requested 0 is a denial in batches. */
function single(s: number, t: number, c: number, r: number): number {
  return r === 0 ? 0 : ss.hasPermNoAudit(s, t, c, r) ? 1 : 0;
}

/** 'error' for an E_BAD_ARGUMENT SvirtError; any other throw fails the property. */
function outcome<T>(f: () => T): T | 'error' {
  try {
    return f();
  } catch (e) {
    expect(e).toBeInstanceOf(SvirtError);
    expect((e as SvirtError).code, String(e)).toBe('E_BAD_ARGUMENT');
    return 'error';
  }
}

/** A value near a valid one: itself, 2^32 + v, v ± 0.5, -v, -0, NaN, ±Infinity, a numeric string, … */
function near(valid: readonly number[]): fc.Arbitrary<unknown> {
  const v = fc.constantFrom(...valid);
  return fc.oneof(
    { arbitrary: v, weight: 12 },
    { arbitrary: v.map((x) => 2 ** 32 + x), weight: 2 },
    { arbitrary: v.map((x) => -(2 ** 32) + x), weight: 1 },
    { arbitrary: v.map((x) => x + 0.5), weight: 1 },
    { arbitrary: v.map((x) => -x), weight: 1 },
    { arbitrary: v.map((x) => String(x)), weight: 1 },
    { arbitrary: v.map((x) => [x]), weight: 1 },
    { arbitrary: v.map((x) => BigInt(x)), weight: 1 },
    { arbitrary: fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 0xffffffff, 2 ** 53, 1e-9), weight: 2 },
    { arbitrary: fc.constantFrom(null, undefined, true, false, {}, { valueOf: () => 1 }), weight: 1 },
    { arbitrary: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), weight: 1 },
    { arbitrary: fc.double({ noNaN: false }), weight: 1 },
  );
}
const sidArb = near([...SIDS, 0, 9999]);
const classArb = near(CLASSES);
const maskArb = near([...MASKS, 0]);
const request = fc.tuple(sidArb, sidArb, classArb, maskArb);

/** One query column: mostly a Uint32Array of valid values, sometimes a wrong kind or a wrong length. */
function column(valid: readonly number[], n: number): fc.Arbitrary<unknown> {
  const vals = fc.array(fc.constantFrom(...valid), { minLength: n, maxLength: n });
  const wide = fc.array(fc.oneof(fc.constantFrom(...valid), fc.constantFrom(...valid).map((x) => 2 ** 32 + x), fc.constantFrom(...valid).map((x) => x + 0.5)), { minLength: n, maxLength: n });
  return fc.oneof(
    { arbitrary: vals.map((a) => Uint32Array.from(a)), weight: 12 },
    { arbitrary: fc.array(fc.constantFrom(...valid), { maxLength: n + 2 }).map((a) => Uint32Array.from(a)), weight: 2 },
    { arbitrary: wide, weight: 1 },
    { arbitrary: wide.map((a) => Float64Array.from(a)), weight: 1 },
    { arbitrary: vals.map((a) => Int32Array.from(a)), weight: 1 },
    { arbitrary: vals.map((a) => Uint16Array.from(a)), weight: 1 },
    { arbitrary: fc.constantFrom(null, undefined, 5, 'x', {}), weight: 1 },
  );
}
const batch = fc.integer({ min: 0, max: 40 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    ssid: column([...SIDS, 0, 9999], n),
    tsid: column([...SIDS, 0, 9999], n),
    tclass: column(CLASSES, n),
    requested: column([...MASKS, 0], n),
  }),
);

/** Expected answers when all four columns are Uint32Arrays of length n, else undefined. */
function expectedAnswers(q: { n: number; ssid: unknown; tsid: unknown; tclass: unknown; requested: unknown }): number[] | undefined {
  const cols = [q.ssid, q.tsid, q.tclass, q.requested];
  if (!cols.every((c) => c instanceof Uint32Array && c.length === q.n)) return undefined;
  const [s, t, c, r] = cols as Uint32Array[];
  return Array.from({ length: q.n }, (_, i) => single(s![i]!, t![i]!, c![i]!, r![i]!));
}

const RUNS = { seed: 0x15a9, numRuns: 400 };

describe('single-call boundaries', () => {
  const engine = WasmEngine.create(ss.exportImage(), ss.exportSidTable());

  test('hasPerm, hasPermNoAudit, engine.hasPermNoAudit, engine.check: malformed → E_BAD_ARGUMENT, well-formed → the decision', () => {
    fc.assert(
      fc.property(request, ([s, t, c, r]) => {
        const wellFormed = isU32(s) && isU32(t) && isU32(c) && isU32(r) && r !== 0;
        const a = [s, t, c, r] as [number, number, number, number];
        const answers = [
          outcome(() => ss.hasPermNoAudit(...a)),
          outcome(() => ss.hasPerm(...a)),
          outcome(() => engine.hasPermNoAudit(...a)),
          outcome(() => engine.check(...a).granted),
        ];
        if (!wellFormed) {
          expect(answers).toEqual(['error', 'error', 'error', 'error']);
          return;
        }
        const want = single(s, t, c, r) === 1;
        expect(answers).toEqual([want, want, want, want]);
      }),
      RUNS,
    );
  });

  test('computeAv / computeAvReason: malformed → E_BAD_ARGUMENT; a wrapped value never reads as its wrapped twin', () => {
    fc.assert(
      fc.property(request, ([s, t, c, r]) => {
        const d = outcome(() => ss.computeAvReason(s as number, t as number, c as number, r as number));
        const d3 = outcome(() => engine.computeAv(s as number, t as number, c as number));
        if (!(isU32(s) && isU32(t) && isU32(c) && isU32(r))) expect(d).toBe('error');
        if (!(isU32(s) && isU32(t) && isU32(c))) expect(d3).toBe('error');
        else expect(d3 === 'error' ? d3 : d3.allowed).toBe(ss.computeAv(s, t, c).allowed);
      }),
      RUNS,
    );
  });
});

describe('batch boundaries', () => {
  test('checkBatch: E_BAD_ARGUMENT with every out slot denied, or exactly the single-call answers for out[0..n)', () => {
    const outArb = fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 42 }).map((k) => new Uint8Array(k).fill(1)), weight: 3 },
      { arbitrary: fc.constant('same'), weight: 8 },
      { arbitrary: fc.integer({ min: 0, max: 42 }).map((k) => new Array<number>(k).fill(1)), weight: 1 },
    );
    fc.assert(
      fc.property(batch, outArb, fc.option(near([0, 1, 5, 40, 41]), { nil: undefined }), (q, o, nArg) => {
        const out = o === 'same' ? new Uint8Array(q.n).fill(1) : o;
        const r = outcome(() => ss.checkBatch(q.ssid as Uint32Array, q.tsid as Uint32Array, q.tclass as Uint32Array, q.requested as Uint32Array, out as Uint8Array, nArg as number));
        const want = expectedAnswers(q);
        const valid = want !== undefined && out instanceof Uint8Array && out.length === q.n && (nArg === undefined || (Number.isInteger(nArg) && (nArg as number) >= 0 && (nArg as number) <= q.n));
        if (!valid) {
          expect(r).toBe('error');
          expect(Array.from(out as ArrayLike<number>).every((x) => x === 0)).toBe(true); // every slot denied
          return;
        }
        expect(r).toBeUndefined();
        const k = nArg ?? q.n;
        expect([...out].slice(0, k as number)).toEqual(want.slice(0, k as number));
        expect([...out].slice(k as number).every((x) => x === 1)).toBe(true); // out[n..) as it was
      }),
      RUNS,
    );
  });

  test('WasmEngine.runBatch and BatchRegion.run: any n / window → the single answers, or E_BAD_ARGUMENT with all answers denied', () => {
    const e = WasmEngine.create(ss.exportImage(), ss.exportSidTable(), undefined, { batchCapacity: 32 });
    const region = e.createRegion(32);
    const window = fc.tuple(near([0, 1, 8, 16, 31, 32, 33]), near([0, 1, 8, 16, 32, 33]));
    fc.assert(
      fc.property(fc.array(request.filter(([s, t, c, r]) => isU32(s) && isU32(t) && isU32(c) && isU32(r)), { minLength: 32, maxLength: 32 }), window, (reqs, [start, n]) => {
        const b = e.batch();
        const v = region.views();
        reqs.forEach((req, i) => {
          for (const [k, col] of (['ssid', 'tsid', 'tclass', 'requested'] as const).entries()) {
            b[col][i] = req[k] as number;
            v[col][i] = req[k] as number;
          }
        });
        const want = reqs.map(([s, t, c, r]) => single(s as number, t as number, c as number, r as number));
        b.out.fill(1);
        const rb = outcome(() => e.runBatch(n as number));
        if (Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 32) {
          expect(rb).toBeUndefined();
          expect([...b.out.subarray(0, n as number)]).toEqual(want.slice(0, n as number));
        } else {
          expect(rb).toBe('error');
          expect(b.out.every((x) => x === 0)).toBe(true);
        }
        v.out.fill(1);
        const rr = outcome(() => region.run(start as number, n as number));
        if (Number.isInteger(start) && Number.isInteger(n) && (start as number) >= 0 && (n as number) >= 0 && (start as number) + (n as number) <= 32) {
          expect(rr).toBeUndefined();
          const [a, z] = [start as number, (start as number) + (n as number)];
          expect([...v.out.subarray(a, z)]).toEqual(want.slice(a, z));
        } else {
          expect(rr).toBe('error');
          expect(v.out.every((x) => x === 0)).toBe(true);
        }
      }),
      { seed: 0x15aa, numRuns: 300 },
    );
  });
});

describe('checkMany boundary (worker pool)', () => {
  let pool: CheckPool;
  beforeAll(() => {
    pool = new CheckPool(ss, { workers: 1, sliceSize: 7 });
  });
  afterAll(async () => {
    await pool.close();
  });

  test('CheckPool.checkMany: E_BAD_ARGUMENT or exactly the single-call answers', async () => {
    await fc.assert(
      fc.asyncProperty(batch, async (q) => {
        const want = expectedAnswers(q);
        const lengths = [q.ssid, q.tsid, q.tclass, q.requested].map((c) => (c instanceof Uint32Array ? c.length : -1));
        const ok = [q.ssid, q.tsid, q.tclass, q.requested].every((c) => c instanceof Uint32Array) && lengths.every((l) => l === lengths[0]);
        const r = await pool.checkMany(q as never).then(
          (out) => out,
          (e: unknown) => {
            expect((e as SvirtError).code, String(e)).toBe('E_BAD_ARGUMENT');
            return 'error' as const;
          },
        );
        if (!ok) {
          expect(r).toBe('error');
          return;
        }
        expect(r).not.toBe('error');
        const [s, t, c, rq] = [q.ssid, q.tsid, q.tclass, q.requested] as Uint32Array[];
        expect([...(r as Uint8Array)]).toEqual(want ?? Array.from({ length: lengths[0]! }, (_, i) => single(s![i]!, t![i]!, c![i]!, rq![i]!)));
      }),
      { seed: 0x15ab, numRuns: 120 },
    );
  });

  test('checkMany(server, queries): malformed queries reject before any worker starts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(batch.filter((q) => expectedAnswers(q) === undefined && !(q.ssid instanceof Uint32Array)), fc.constantFrom(null, undefined, 0, 'q', [], {})), async (q) => {
        const e = await checkMany(ss, q as never, { workers: 1 }).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect((e as SvirtError).code).toBe('E_BAD_ARGUMENT');
      }),
      { seed: 0x15ac, numRuns: 60 },
    );
  });
});

describe('name and flag boundaries', () => {
  const anything = fc.oneof(
    fc.anything(),
    fc.string(),
    fc.constantFrom('file', 'read', 'virt_use_nfs', '__proto__', 'constructor', 'toString', 'system_u:system_r:svirt_t:s0', Symbol('x'), 2 ** 32 + FILE, FILE + 0.5, -1, Number.NaN),
  );

  test('contextToSid, sidToContext, classValue, permMask, permNames, setBoolean, getBoolean, setEnforcing: a SvirtError or a well-typed answer, never a TypeError', () => {
    const probe = createSecurityServer(svirtExampleBuilder().build());
    const g = probe.contextToSid('system_u:system_r:svirt_t:s0:c1,c2');
    const img = probe.contextToSid('system_u:object_r:svirt_image_t:s0:c1,c2');
    const read = probe.permMask(FILE, ['read']);
    fc.assert(
      fc.property(anything, anything, (a, b) => {
        const calls: Array<() => unknown> = [
          () => probe.contextToSid(a as string),
          () => probe.sidToContext(a as number),
          () => probe.classValue(a as string),
          () => probe.permMask(a as number, [b as string]),
          () => probe.permMask(FILE, a as string[]),
          () => probe.permNames(a as number, b as number),
          () => probe.setBoolean(a as string, b as boolean),
          () => probe.getBoolean(a as string),
          () => probe.setEnforcing(a as boolean),
        ];
        for (const call of calls) {
          try {
            call();
          } catch (e) {
            expect(e, String(e)).toBeInstanceOf(SvirtError);
          }
        }
        probe.setEnforcing(true);
        // whatever was thrown at it, the server still decides as before
        expect(probe.hasPermNoAudit(g, img, FILE, read)).toBe(true);
      }),
      { seed: 0x15ad, numRuns: 300 },
    );
  });
});
