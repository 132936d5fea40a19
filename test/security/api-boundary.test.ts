/**
 * The library API never allows on malformed input: the reproducers of a SID, class or mask that
 * wraps modulo 2^32 on its way into Wasm (2^32 + g names g), arrays of different lengths that left
 * answer slots unwritten, untyped TypeErrors — at every public boundary (the SecurityServer facade,
 * WasmEngine, BatchRegion, checkMany/CheckPool). Each is an E_BAD_ARGUMENT SvirtError, and every
 * output slot holds a denial before the error is thrown.
 */
import { describe, expect, test } from 'vitest';
import { parseContext } from '../../src/context/context.js';
import { SvirtError } from '../../src/errors.js';
import { buildSymbolIndex } from '../../src/policy/model.js';
import { explainAccess } from '../../src/security/explain.js';
import { createSecurityServer } from '../../src/security/server.js';
import { CheckPool, checkMany } from '../../src/sim/check-many.js';
import { MAX_BATCH_CAPACITY, MAX_SIDS, WasmEngine } from '../../src/wasm/engine.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

const badArgument = expect.objectContaining({ code: 'E_BAD_ARGUMENT' });

function world() {
  const ss = createSecurityServer(svirtExampleBuilder().build());
  const g = ss.contextToSid('system_u:system_r:svirt_t:s0:c1,c2');
  const img = ss.contextToSid('system_u:object_r:svirt_image_t:s0:c1,c2');
  const other = ss.contextToSid('system_u:object_r:svirt_image_t:s0:c3,c4');
  const file = ss.classValue('file');
  const read = ss.permMask(file, ['read']);
  expect(ss.hasPermNoAudit(g, img, file, read)).toBe(true);
  expect(ss.hasPermNoAudit(g, other, file, read)).toBe(false);
  return { ss, g, img, other, file, read };
}

/** The thrown value of `f`, or a failure when it returns. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('reproducers from the issue', () => {
  test('checkMany with a plain array holding 2^32 + g (and g + 0.5, -1, NaN, tclass 2^32 + file) rejects with E_BAD_ARGUMENT', async () => {
    const { ss, g, other, file, read } = world();
    // the single path refuses the same values (it used to deny; it never allowed)
    expect(() => ss.hasPermNoAudit(2 ** 32 + g, other, file, read)).toThrow(badArgument);
    for (const [s, c] of [[2 ** 32 + g, file], [g + 0.5, file], [-1, file], [Number.NaN, file], [g, 2 ** 32 + file]] as const) {
      const q = { ssid: [s], tsid: [other], tclass: [c], requested: [read] } as unknown as Parameters<typeof checkMany>[1];
      await expect(checkMany(ss, q, { workers: 1 })).rejects.toThrow(badArgument);
      // a Float64Array would be converted mod 2^32 the same way: refused too
      const f64 = { ssid: Float64Array.of(s), tsid: Float64Array.of(other), tclass: Float64Array.of(c), requested: Float64Array.of(read) } as unknown as Parameters<typeof checkMany>[1];
      await expect(checkMany(ss, f64, { workers: 1 })).rejects.toThrow(badArgument);
    }
  });

  test('checkMany(null), checkMany(server, null), missing fields and unequal lengths: typed rejections, no TypeError', async () => {
    const { ss, g, img, file, read } = world();
    const one = (v: number): Uint32Array => Uint32Array.of(v);
    const cases: unknown[][] = [
      [null, { ssid: one(g), tsid: one(img), tclass: one(file), requested: one(read) }],
      [undefined, undefined],
      [{}, { ssid: one(g), tsid: one(img), tclass: one(file), requested: one(read) }],
      [ss, null],
      [ss, 42],
      [ss, {}],
      [ss, { ssid: one(g), tsid: one(img), tclass: one(file) }],
      [ss, { ssid: new Uint32Array(0), tsid: one(img), tclass: one(file), requested: one(read) }],
      [ss, { ssid: one(g), tsid: one(img), tclass: one(file), requested: new Uint32Array(2) }],
      [ss, { ssid: one(g), tsid: one(img), tclass: one(file), requested: one(read) }, null],
      [ss, { ssid: one(g), tsid: one(img), tclass: one(file), requested: one(read) }, { sliceSize: 0.5 }],
      [ss, { ssid: one(g), tsid: one(img), tclass: one(file), requested: one(read) }, { workers: -1 }],
    ];
    for (const args of cases) {
      const e = await (checkMany as (...a: unknown[]) => Promise<Uint8Array>)(...args).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e, JSON.stringify(args.map((a) => typeof a))).toBeInstanceOf(SvirtError);
      expect((e as SvirtError).code).toBe('E_BAD_ARGUMENT');
      expect((e as SvirtError).message).not.toMatch(/\n/);
    }
    expect(() => new CheckPool(null as never)).toThrow(badArgument);
    expect(() => new CheckPool(ss, { avc: { slots: 3 } })).toThrow(/AVC slots must be a power of two/);
  });

  test('CheckPool.checkMany with well-formed queries equals checkBatch (requested 0 and unknown SIDs denied)', async () => {
    const { ss, g, img, other, file, read } = world();
    const q = {
      ssid: Uint32Array.of(g, g, g, 0, 0xffffffff, g),
      tsid: Uint32Array.of(img, other, img, img, img, img),
      tclass: Uint32Array.of(file, file, file, file, file, 0xffffffff),
      requested: Uint32Array.of(read, read, 0, read, read, read),
    };
    const pool = new CheckPool(ss, { workers: 1 });
    try {
      const out = await pool.checkMany(q);
      expect([...out]).toEqual([1, 0, 0, 0, 0, 0]);
      await expect(pool.checkMany({ ...q, ssid: [2 ** 32 + g, g, g, g, g, g] as unknown as Uint32Array })).rejects.toThrow(badArgument);
    } finally {
      await pool.close();
    }
  });

  test('checkBatch with an ssid shorter than the others: E_BAD_ARGUMENT, and a reused out buffer holds only denials', () => {
    const { ss, g, img, file, read } = world();
    const out = new Uint8Array(4);
    const full = (v: number): Uint32Array => new Uint32Array(4).fill(v);
    ss.checkBatch(full(g), full(img), full(file), full(read), out);
    expect([...out]).toEqual([1, 1, 1, 1]); // the old grants a reused buffer holds
    expect(() => ss.checkBatch(new Uint32Array(2).fill(g), full(img), full(file), full(read), out)).toThrow(badArgument);
    expect([...out]).toEqual([0, 0, 0, 0]);
    // out of another kind (a plain array): refused, and still denied slot by slot
    const plain = [1, 1, 1, 1];
    expect(() => ss.checkBatch(full(g), full(img), full(file), full(read), plain as unknown as Uint8Array)).toThrow(badArgument);
    expect(plain).toEqual([0, 0, 0, 0]);
  });

  test('hasPerm/hasPermNoAudit with requested 0 is E_BAD_ARGUMENT (K avc_has_perm_noaudit: WARN_ON, -EACCES); computeAvReason(…, 0) is a decision', () => {
    const { ss, g, img, file } = world();
    expect(() => ss.hasPermNoAudit(g, img, file, 0)).toThrow(badArgument);
    expect(() => ss.hasPerm(g, img, file, 0)).toThrow(badArgument);
    expect(() => ss.hasPerm(g, img, file, -0)).toThrow(badArgument);
    const d = ss.computeAvReason(g, img, file, 0);
    expect(d.reason).toBe(0);
    expect(d.allowed).toBe(ss.computeAv(g, img, file).allowed);
    expect(ss.permMask(file, [])).toBe(0); // the mask of no names is 0, which no check accepts
  });
});

test('explainAccess refuses a request of 0 (it used to explain "allowed") and a wrapped one (2^32 + read explained as read)', () => {
  const { ss, file, read } = world();
  const index = buildSymbolIndex(ss.model);
  const g = parseContext(ss.model, index, 'system_u:system_r:svirt_t:s0:c1,c2');
  const img = parseContext(ss.model, index, 'system_u:object_r:svirt_image_t:s0:c1,c2');
  const bools = ss.model.bools.map((b) => b.defaultState);
  expect(explainAccess(ss.model, g, img, file, read, bools).allowed).toBe(true);
  for (const [c, r] of [[file, 0], [file, 2 ** 32 + read], [file, read + 0.5], [2 ** 32 + file, read], [Number.NaN, read]]) {
    expect(() => explainAccess(ss.model, g, img, c!, r!, bools), `${c} ${r}`).toThrow(badArgument);
  }
});

describe('WasmEngine and BatchRegion boundaries', () => {
  const { ss, g, img, other, file, read } = world();
  const engine = (): WasmEngine => WasmEngine.create(ss.exportImage(), ss.exportSidTable());

  test('hasPermNoAudit / check / computeAv refuse values the JS-to-Wasm call would wrap', () => {
    const e = engine();
    expect(e.hasPermNoAudit(g, img, file, read)).toBe(true);
    // the raw export wraps 2^32 + g to g and grants: the reason the wrapper checks
    expect(e.core.hasPerm(2 ** 32 + g, img, file, read)).toBe(1);
    for (const args of [[2 ** 32 + g, img, file, read], [g, img, 2 ** 32 + file, read], [g, img, file, 2 ** 32 + read], [g + 0.5, img, file, read], ['5', img, file, read], [g, img, file, 0], [Symbol('s'), img, file, read]] as const) {
      const a = args as unknown as [number, number, number, number];
      expect(() => e.hasPermNoAudit(...a), String(args[0])).toThrow(badArgument);
      expect(() => e.check(...a)).toThrow(badArgument);
    }
    expect(() => e.computeAv(2 ** 32 + g, img, file)).toThrow(badArgument);
    expect(e.computeAv(g, other, file).allowed & read).toBe(0);
  });

  test('runBatch with n outside 0..capacity denies every answer slot, then throws', () => {
    const e = engine();
    const b = e.batch();
    b.ssid.fill(g, 0, 4);
    b.tsid.fill(img, 0, 4);
    b.tclass.fill(file, 0, 4);
    b.requested.fill(read, 0, 4);
    e.runBatch(4);
    expect([...b.out.subarray(0, 4)]).toEqual([1, 1, 1, 1]);
    for (const n of [-1, b.capacity + 1, 1.5, Number.NaN, '4']) {
      b.out.fill(1);
      expect(() => e.runBatch(n as number), String(n)).toThrow(badArgument);
      expect(b.out.every((x) => x === 0)).toBe(true);
    }
  });

  test('BatchRegion.run outside the region denies every slot; regions are made only by createRegion', () => {
    const e = engine();
    const r = e.createRegion(8);
    const v = r.views();
    v.ssid.fill(g);
    v.tsid.fill(img);
    v.tclass.fill(file);
    v.requested.fill(read);
    r.run(0, 8);
    expect(v.out.every((x) => x === 1)).toBe(true);
    expect(() => r.run(4, 5)).toThrow(badArgument);
    expect(v.out.every((x) => x === 0)).toBe(true);
    for (const cap of [0, -1, 0.5, 2 ** 28, Number.NaN]) expect(() => e.createRegion(cap), String(cap)).toThrow(badArgument);
  });

  test('create options, SID table writes and cond states are checked before they reach Wasm memory', () => {
    const image = ss.exportImage();
    const sids = ss.exportSidTable();
    expect(() => WasmEngine.create(image, sids, undefined, { batchCapacity: 2 ** 30 })).toThrow(badArgument);
    expect(() => WasmEngine.create(image, sids, undefined, { batchCapacity: MAX_BATCH_CAPACITY + 1 })).toThrow(badArgument);
    expect(() => WasmEngine.create(image, sids, undefined, { enforcing: 'no' as unknown as boolean })).toThrow(badArgument);
    expect(() => WasmEngine.create([1, 2, 3] as unknown as Uint8Array, sids)).toThrow(badArgument);
    expect(() => WasmEngine.create(image, null as unknown as Uint8Array)).toThrow(badArgument);
    const e = engine();
    expect(() => e.reserveSids(2 ** 31 + 1)).toThrow(badArgument); // would never end in the core's doubling loop
    expect(() => e.reserveSids(MAX_SIDS + 1)).toThrow(badArgument);
    expect(() => e.setSidCount(-1)).toThrow(badArgument);
    expect(() => e.writeSid(2 ** 32 + g, () => undefined)).toThrow(badArgument);
    expect(() => e.writeSid(0, () => undefined)).toThrow(badArgument);
    // one state per cond node, each 1/0/-1: a longer list would overwrite the rules after them
    const nconds = ss.model.conds.length;
    expect(() => e.setCondStates(new Array(nconds + 64).fill(1), 9)).toThrow(badArgument);
    expect(() => e.setCondStates(new Array(nconds).fill(2), 9)).toThrow(nconds > 0 ? badArgument : Error);
    expect(() => e.setCondStates([], -1)).toThrow(badArgument);
    expect(() => e.reset(2 ** 32)).toThrow(badArgument);
    expect(() => e.setEnforcing('false' as unknown as boolean)).toThrow(badArgument);
    expect(e.hasPermNoAudit(g, img, file, read)).toBe(true);
    expect(e.hasPermNoAudit(g, other, file, read)).toBe(false);
  });
});

describe('SecurityServer facade arguments', () => {
  test('names, flags and options of the wrong type are E_BAD_ARGUMENT, never a TypeError', () => {
    const { ss, g, img, file, read } = world();
    const model = ss.model;
    const calls: Array<() => unknown> = [
      () => ss.contextToSid(null as never),
      () => ss.contextToSid(42 as never),
      () => ss.sidToContext('1' as never),
      () => ss.sidToContext(Symbol('x') as never),
      () => ss.classValue(Symbol('file') as never),
      () => ss.classValue(undefined as never),
      () => ss.permMask('1' as never, ['read']),
      () => ss.permMask(true as never, ['read']),
      () => ss.permMask(file, 'read' as never),
      () => ss.permMask(file, [Symbol('read')] as never),
      () => ss.permMask(file, null as never),
      () => ss.permNames(file, -1),
      () => ss.hasPerm(g, img, file, read, 'pid=1' as never),
      () => ss.hasPerm(g, img, file, read, null as never),
      () => ss.setBoolean('virt_use_nfs', 'false' as never),
      () => ss.setBoolean(null as never, true),
      () => ss.getBoolean(1 as never),
      () => ss.setEnforcing(0 as never),
      () => ss.onAudit('sink' as never),
      () => ss.reload(null as never),
      () => createSecurityServer(model, null as never),
      () => createSecurityServer(model, { enforcing: 'false' as never }),
      () => createSecurityServer(model, { handleUnknown: 'constructor' as never }),
      () => createSecurityServer(model, { booleans: 'virt_use_nfs' as never }),
      () => createSecurityServer(model, { booleans: { virt_use_nfs: 'false' as never } }),
      () => createSecurityServer(model, { avc: 512 as never }),
      () => createSecurityServer(null as never),
    ];
    for (const [i, f] of calls.entries()) {
      const e = thrown(f);
      expect(e, `call #${i}`).toBeInstanceOf(SvirtError);
      expect((e as SvirtError).code, `call #${i}: ${String(e)}`).toBe('E_BAD_ARGUMENT');
    }
    // nothing above changed a decision or the boolean state
    expect(ss.hasPermNoAudit(g, img, file, read)).toBe(true);
    expect(ss.getBoolean('virt_use_nfs')).toBe(model.bools.find((b) => b.name === 'virt_use_nfs')!.defaultState);
    expect(ss.enforcing).toBe(true);
  });
});
