/**
 * readBinaryPolicy on hand-built policies: the minimal policy reads for every supported version, and
 * each kind of corruption gives a BinaryPolicyError naming the section and the byte offset.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinaryPolicyError } from '../../src/errors.js';
import { isBinaryPolicy, readBinaryPolicy } from '../../src/policy/binary.js';
import { Cursor } from '../../src/policy/binary/cursor.js';
import { readCategoryBits, readEbitmap } from '../../src/policy/binary/ebitmap.js';
import { AVTAB_ALLOWED } from '../../src/policy/model.js';
import { ByteWriter, buildMinimalPolicy, withU32 } from './binary-builder.js';

function expectError(bytes: Uint8Array, section: string | RegExp, offset?: number, detail?: RegExp): BinaryPolicyError {
  let caught: unknown;
  try {
    readBinaryPolicy(bytes);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(BinaryPolicyError);
  const err = caught as BinaryPolicyError;
  if (typeof section === 'string') expect(err.section).toBe(section);
  else expect(err.section).toMatch(section);
  if (offset !== undefined) expect(err.offset).toBe(offset);
  if (detail) expect(err.message).toMatch(detail);
  expect(err.code).toBe('E_POLICY_BINARY');
  return err;
}

describe('minimal policy', () => {
  for (const version of [24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35]) {
    for (const mls of [true, false]) {
      it(`reads version ${version} ${mls ? 'MLS' : 'non-MLS'}`, () => {
        const m = readBinaryPolicy(buildMinimalPolicy({ version, mls }).bytes);
        expect(m.policyVersion).toBe(version);
        expect(m.mls).toBe(mls);
        expect(m.handleUnknown).toBe('deny');
        expect(m.policyCaps).toEqual(['open_perms']);
        expect(m.classes.map((c) => [c.name, c.perms])).toEqual([['file', ['read', 'write']]]);
        expect(m.classes[0]!.constraints).toEqual([{ perms: 1, mls: false, expr: [{ exprType: 4, attr: 1, op: 1 }] }]);
        expect(m.roles.map((r) => r.name)).toEqual(['object_r', 'sys_r']);
        // object_r's on-disk datum is replaced by the built-in, empty one (K roles_init)
        expect(m.roles[0]).toMatchObject({ types: [], dominates: [] });
        expect(m.roles[1]).toMatchObject({ types: [1], dominates: [2] });
        expect(m.users[0]!.roles).toEqual([2]);
        expect(m.avtab).toEqual([{ source: 1, target: 1, tclass: 1, specified: AVTAB_ALLOWED, data: 3 }]);
        expect(m.typeAttrMap).toEqual([[1]]);
        expect(m.attrTypes).toEqual([[]]);
        expect(m.initialSids).toHaveLength(1);
        expect(m.initialSids[0]!.name).toBe('kernel');
        expect(m.initialSids[0]!.context).toMatchObject({ user: 1, role: 2, type: 1 });
        expect(m.initialSids[0]!.context!.range !== undefined).toBe(mls);
        if (mls) {
          expect(m.sensitivities.map((s) => [s.name, s.allowedCats.toArray()])).toEqual([['s0', [0]]]);
          expect(m.users[0]!.range!.low.sens).toBe(1);
        } else {
          expect(m.users[0]!.range).toBeUndefined();
        }
      });
    }
  }

  it('isBinaryPolicy checks the magic only', () => {
    expect(isBinaryPolicy(buildMinimalPolicy().bytes)).toBe(true);
    expect(isBinaryPolicy(new TextEncoder().encode('class file'))).toBe(false);
    expect(isBinaryPolicy(new Uint8Array([0x8c, 0xff, 0x7c]))).toBe(false);
  });
});

describe('header errors', () => {
  const p = buildMinimalPolicy();
  it('wrong magic', () => expectError(withU32(p.bytes, 0, 0x12345678), 'header', 0, /wrong magic/));
  it('module magic', () => expectError(withU32(p.bytes, 0, 0xf97cff8d), 'header', 0, /policy module/));
  it('unsupported versions', () => {
    expectError(withU32(p.bytes, p.at['version']!, 23), 'header', p.at['version'], /unsupported policy version 23/);
    expectError(withU32(p.bytes, p.at['version']!, 36), 'header', p.at['version'], /unsupported policy version 36/);
  });
  it('reject + allow unknown together', () => expectError(withU32(p.bytes, p.at['config']!, 7), 'header', p.at['config'], /reject_unknown/));
  it('ocontext count for the version', () => expectError(withU32(p.bytes, p.at['oconNum']!, 7), 'header', p.at['oconNum'], /ocontext count 7/));
  it('empty and short input', () => {
    expectError(new Uint8Array(0), 'header', 0, /truncated/);
    expectError(p.bytes.subarray(0, 10), 'header', 4, /exceeds the 2 byte\(s\) left/);
  });
  it('trailing bytes', () => {
    const longer = new Uint8Array(p.bytes.length + 3);
    longer.set(p.bytes);
    expectError(longer, 'end', p.bytes.length, /3 unexpected byte/);
  });
  it('names the file when given', () => {
    expect(() => readBinaryPolicy(withU32(p.bytes, 0, 1), '/x/policy.33')).toThrow(/\[\/x\/policy\.33\]/);
  });
});

describe('truncation', () => {
  it('every prefix of the minimal policy fails with a truncation or count error', () => {
    const { bytes } = buildMinimalPolicy();
    for (let n = 0; n < bytes.length; n++) {
      const err = expectError(bytes.subarray(0, n), /./);
      expect(err.message).toMatch(/truncated|cannot fit|exceeds|left/);
      expect(err.offset).toBeLessThanOrEqual(n);
    }
  });
});

describe('counts and values', () => {
  const p = buildMinimalPolicy();
  it('a huge avtab count fails before allocating', () => {
    expectError(withU32(p.bytes, p.at['avtab']!, 0xffffffff), 'avtab', p.at['avtab'], /cannot fit/);
  });
  it('a huge symbol table count fails before allocating', () => {
    expectError(withU32(p.bytes, p.at['types']! + 4, 0xffffffff), 'symbols/types', p.at['types']! + 4, /cannot fit/);
    expectError(withU32(p.bytes, p.at['classes']!, 0xfffffff0), 'symbols/classes', p.at['classes'], /values declared/);
  });
  it('a huge constraint expression count', () => {
    expectError(withU32(p.bytes, p.at['constraint.nexpr']!, 0x40000000), 'symbols/classes', p.at['constraint.nexpr'], /cannot fit/);
  });
  it('avtab type and class out of range', () => {
    const b = p.bytes.slice();
    new DataView(b.buffer).setUint16(p.at['avtab.item']!, 2, true);
    expectError(b, 'avtab', p.at['avtab.item'], /source type 2 out of range 1\.\.1/);
    const c = p.bytes.slice();
    new DataView(c.buffer).setUint16(p.at['avtab.item']! + 4, 9, true);
    expectError(c, 'avtab', p.at['avtab.item']! + 4, /class 9/);
  });
  it('avtab specified with two kinds', () => {
    const b = p.bytes.slice();
    new DataView(b.buffer).setUint16(p.at['avtab.item']! + 6, 3, true);
    expectError(b, 'avtab', p.at['avtab.item']! + 6, /exactly one rule kind/);
  });
  it('type value out of range', () => {
    expectError(withU32(p.bytes, p.at['type.record']! + 4, 5), 'symbols/types', p.at['type.record']! + 4, /value 5 out of range 1\.\.1/);
  });
  it('permission value out of range', () => {
    expectError(withU32(p.bytes, p.at['perm.write']! + 4, 3), 'symbols/classes', p.at['perm.write']! + 4, /value 3 out of range/);
  });
  it('duplicated permission value', () => {
    expectError(withU32(p.bytes, p.at['perm.write']! + 4, 1), 'symbols/classes', p.at['perm.write'], /value 1 used by two records/);
  });
  it('object_r must have value 1', () => {
    const b = withU32(withU32(p.bytes, p.at['role.object_r']! + 4, 2), p.at['role.sys_r']! + 4, 1);
    expectError(b, 'symbols/roles', p.at['role.object_r']! + 4, /object_r has value 2/);
  });
  it('initial SID context values', () => {
    // object_r is exempt from the role/type authorisation check, so role 1 is accepted
    expect(readBinaryPolicy(withU32(p.bytes, p.at['isid.context']! + 4, 1)).initialSids[0]!.context!.role).toBe(1);
    expectError(withU32(p.bytes, p.at['isid.context']! + 8, 0), 'ocontexts/isid', p.at['isid.context']! + 8, /type 0 out of range/);
    const b = withU32(p.bytes, p.at['isid.context']!, 7);
    expectError(b, 'ocontexts/isid', p.at['isid.context'], /user 7 out of range/);
  });
});

describe('ebitmap errors', () => {
  const p = buildMinimalPolicy();
  // role sys_r dominates = ebitmap {bit 1}: [64, 64, 1] [0, lo=2, hi=0]
  const e = p.at['role.sys_r.dominates']!;
  it('map size other than 64', () => expectError(withU32(p.bytes, e, 32), 'symbols/roles', e, /map size 32/));
  it('high bit not a multiple of 64', () => expectError(withU32(p.bytes, e + 4, 65), 'symbols/roles', e, /not a multiple of 64/));
  it('start bit not a multiple of 64', () => expectError(withU32(p.bytes, e + 12, 3), 'symbols/roles', e + 12, /start bit 3 is not a multiple/));
  it('high bit mismatch', () => expectError(withU32(p.bytes, e + 4, 128), 'symbols/roles', e + 12, /does not match/));
  it('zero map', () => expectError(withU32(p.bytes, e + 16, 0), 'symbols/roles', e + 12, /empty map/));
  it('bit beyond the table', () => expectError(withU32(p.bytes, e + 16, 4), 'symbols/roles', e + 12, /bit 2 out of range/));
  it('nodes not ascending', () => {
    const w = new ByteWriter();
    w.u32(64).u32(192).u32(2).u32(128).u32(1).u32(0).u32(64).u32(1).u32(0);
    const c = new Cursor(w.done());
    expect(() => readEbitmap(c, 1000, 'x')).toThrow(/does not ascend/);
  });
  it('high bit 0 ends the map whatever the count says, and no nodes are read (as libsepol and the kernel)', () => {
    const w = new ByteWriter();
    w.u32(64).u32(0).u32(1).u32(0).u32(1).u32(0);
    const c = new Cursor(w.done());
    expect(readEbitmap(c, 1000, 'x')).toEqual([]);
    expect(c.pos).toBe(12);
  });
});

describe('constraint expressions', () => {
  const p = buildMinimalPolicy();
  const x = p.at['constraint.expr']!;
  it('an operator without operands', () => {
    expectError(withU32(p.bytes, x, 2), 'symbols/classes', x, /needs two operands/);
    expectError(withU32(p.bytes, x, 1), 'symbols/classes', x, /'not' on an empty/);
  });
  it('unknown expression type, attribute and operator', () => {
    expectError(withU32(p.bytes, x, 9), 'symbols/classes', x, /unknown expression type 9/);
    expectError(withU32(p.bytes, x + 4, 3), 'symbols/classes', x, /unknown attribute 3/);
    expectError(withU32(p.bytes, x + 8, 6), 'symbols/classes', x, /unknown operator 6/);
  });
  it('RPN deeper than 5', () => {
    // rebuild the constraint with 6 ATTR leaves and 5 ORs: depth 6 exceeds CEXPR_MAXDEPTH
    const head = p.bytes.subarray(0, p.at['constraint.nexpr']!);
    const tail = p.bytes.subarray(x + 12);
    const w = new ByteWriter().bytes(head).u32(11);
    for (let i = 0; i < 6; i++) w.u32(4).u32(1).u32(1);
    for (let i = 0; i < 5; i++) w.u32(3).u32(0).u32(0);
    w.bytes(tail);
    expectError(w.done(), 'symbols/classes', x + 5 * 12, /deeper than 5/);
  });
  it('RPN leaving two values', () => {
    const head = p.bytes.subarray(0, p.at['constraint.nexpr']!);
    const tail = p.bytes.subarray(x + 12);
    const w = new ByteWriter().bytes(head).u32(2).u32(4).u32(1).u32(1).u32(4).u32(1).u32(1).bytes(tail);
    expectError(w.done(), 'symbols/classes', p.at['constraint'], /leaves 2 value/);
  });
  it('permission mask beyond the class', () => {
    expectError(withU32(p.bytes, p.at['constraint']!, 4), 'symbols/classes', p.at['constraint'], /exceeds the class's 2/);
  });
});

describe('ebitmap round trip (property)', () => {
  it('readEbitmap returns exactly the encoded bits, sorted', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 200 }), (bits) => {
        const w = new ByteWriter().ebitmap(bits);
        const c = new Cursor(w.done());
        expect(readEbitmap(c, 5001, 'p')).toEqual([...bits].sort((a, b) => a - b));
        expect(c.remaining).toBe(0);
      }),
    );
  });
  it('readCategoryBits matches the CategorySet of the same bits', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1023 }), { maxLength: 100 }), (bits) => {
        const set = readCategoryBits(new Cursor(new ByteWriter().ebitmap(bits).done()), 1024, 'p');
        expect(set.toArray()).toEqual([...bits].sort((a, b) => a - b));
      }),
    );
  });
  it('a category bit at or above the declared count is rejected', () => {
    expect(() => readCategoryBits(new Cursor(new ByteWriter().ebitmap([5]).done()), 5, 'p')).toThrow(BinaryPolicyError);
    expect(() => readCategoryBits(new Cursor(new ByteWriter().ebitmap([1024]).done()), 1024, 'p')).toThrow(/out of range/);
  });
});
