/**
 * The new-object label part of the policy image (SEC_LABEL_RULES, SEC_LABEL_RANGES, CLASS_LABEL;
 * assembly/transition.ts labelImageLoad) is validated on load: a record naming a type, role,
 * class, range or cond node outside the policy, a table without an empty slot (the probe could
 * not end) or an unknown default code makes the image load fail (fail closed). The result index
 * only accepts a SID whose record is the computed context.
 */
import { describe, expect, test } from 'vitest';
import { compilePolicyText } from '../../src/policy/compiler.js';
import { buildPolicyImage, imageHeader } from '../../src/policy/image.js';
import { createSecurityServer } from '../../src/security/server.js';
import { labelRuleHash } from '../../src/security/label-image.js';
import { SidTable } from '../../src/security/sidtab.js';
import { WasmEngine } from '../../src/wasm/engine.js';
import * as L from '../../src/wasm/layout.js';
import { LABEL_POLICY } from '../security/compute-fixture.js';

const model = compilePolicyText(LABEL_POLICY, 'label.conf');
const sidBytes = new SidTable(model).exportBytes();
const fresh = (): Uint8Array => buildPolicyImage(model, { seqno: 1 });

function section(image: Uint8Array, id: number): { off: number; size: number } {
  const e = L.H_SECTIONS + id * L.SECTION_ENTRY_SIZE;
  return { off: imageHeader(image, e), size: imageHeader(image, e + 4) };
}
const dv = (image: Uint8Array): DataView => new DataView(image.buffer, image.byteOffset, image.byteLength);

/** byte offsets of the used LABEL_REC slots */
function usedSlots(image: Uint8Array): number[] {
  const { off, size } = section(image, L.SEC_LABEL_RULES);
  const out: number[] = [];
  for (let at = off; at < off + size; at += L.LABEL_REC_SIZE) if (dv(image).getUint32(at + L.LABEL_KEY_HI, true) !== 0) out.push(at);
  return out;
}
function slotOfKind(image: Uint8Array, kind: number, conditional = false): number {
  const at = usedSlots(image).find((a) => dv(image).getUint32(a + L.LABEL_KEY_HI, true) >>> 16 === kind && (dv(image).getUint32(a + L.LABEL_COND, true) !== L.AV_UNCONDITIONAL) === conditional);
  if (at === undefined) throw new Error(`no slot of kind ${kind}`);
  return at;
}
const rejects = (image: Uint8Array): void => {
  expect(() => WasmEngine.create(image, sidBytes)).toThrow(/bad record/);
};

describe('label sections of a built image', () => {
  test('hold every rule once, findable by its hash, in a table at most half full', () => {
    const image = fresh();
    const { size } = section(image, L.SEC_LABEL_RULES);
    const slots = size / L.LABEL_REC_SIZE;
    expect(slots & (slots - 1)).toBe(0);
    const used = usedSlots(image);
    // the fixture: 4 unconditional type rules, 1 conditional, 1 role_transition, 1 range_transition
    expect(used.length).toBe(7);
    expect(used.length * 2).toBeLessThanOrEqual(slots);
    for (const at of used) {
      const hi = dv(image).getUint32(at + L.LABEL_KEY_HI, true);
      const lo = dv(image).getUint32(at + L.LABEL_KEY_LO, true);
      // linear probing from the hash reaches the slot without crossing an empty one
      let i = labelRuleHash(hi, lo) & (slots - 1);
      const { off } = section(image, L.SEC_LABEL_RULES);
      while (off + i * L.LABEL_REC_SIZE !== at) {
        expect(dv(image).getUint32(off + i * L.LABEL_REC_SIZE + L.LABEL_KEY_HI, true)).not.toBe(0);
        i = (i + 1) & (slots - 1);
      }
    }
    expect(section(image, L.SEC_LABEL_RANGES).size).toBe(L.RANGE_REC_SIZE);
    expect(() => WasmEngine.create(image, sidBytes)).not.toThrow();
  });

  test('class label words carry the defaults and the socket flag', () => {
    const image = fresh();
    const { off } = section(image, L.SEC_CLASSES);
    const word = (name: string): number => {
      const c = model.classes.find((x) => x.name === name)!;
      return dv(image).getUint32(off + (c.value - 1) * L.CLASS_REC_SIZE + L.CLASS_LABEL, true);
    };
    expect((word('chr_file') >>> L.CDEF_RANGE_SHIFT) & 15).toBe(L.DRANGE_GLBLUB);
    expect(word('unix_stream_socket') & L.CDEF_SOCKET).toBe(L.CDEF_SOCKET);
    expect(word('obsolete_netlink_firewall_socket') & L.CDEF_SOCKET).toBe(0);
    expect(word('process') & (L.CDEF_HAS_ROLE_TR | L.CDEF_HAS_RANGE_TR)).toBe(L.CDEF_HAS_ROLE_TR | L.CDEF_HAS_RANGE_TR);
    expect(word('file') & (L.CDEF_HAS_ROLE_TR | L.CDEF_HAS_RANGE_TR)).toBe(0);
  });
});

describe('a corrupted label section is refused at load', () => {
  test('a type rule whose new type is outside the policy', () => {
    const image = fresh();
    dv(image).setUint32(slotOfKind(image, L.LRULE_TYPE_TRANSITION) + L.LABEL_VALUE, model.types.length + 1, true);
    rejects(image);
  });
  test('a role_transition to role 0', () => {
    const image = fresh();
    dv(image).setUint32(slotOfKind(image, L.LRULE_ROLE_TRANSITION) + L.LABEL_VALUE, 0, true);
    rejects(image);
  });
  test('a range_transition naming a range record that does not exist', () => {
    const image = fresh();
    dv(image).setUint32(slotOfKind(image, L.LRULE_RANGE_TRANSITION) + L.LABEL_VALUE, 1, true);
    rejects(image);
  });
  test('a conditional rule naming a cond node that does not exist', () => {
    const image = fresh();
    dv(image).setUint32(slotOfKind(image, L.LRULE_TYPE_TRANSITION, true) + L.LABEL_COND, model.conds.length << 1, true);
    rejects(image);
  });
  test('a key with class 0 or an unknown kind', () => {
    const image = fresh();
    const at = slotOfKind(image, L.LRULE_TYPE_MEMBER);
    dv(image).setUint32(at + L.LABEL_KEY_LO, dv(image).getUint32(at + L.LABEL_KEY_LO, true) & 0xffff0000, true);
    rejects(image);
    const other = fresh();
    const at2 = slotOfKind(other, L.LRULE_TYPE_CHANGE);
    dv(other).setUint32(at2 + L.LABEL_KEY_HI, (dv(other).getUint32(at2 + L.LABEL_KEY_HI, true) & 0xffff) | (9 << 16), true);
    rejects(other);
  });
  test('a table with no empty slot (a probe could run forever)', () => {
    const image = fresh();
    const { off, size } = section(image, L.SEC_LABEL_RULES);
    const [first] = usedSlots(image);
    for (let at = off; at < off + size; at += L.LABEL_REC_SIZE) image.copyWithin(at, first!, first! + L.LABEL_REC_SIZE);
    rejects(image);
  });
  test('an unknown default_range code in a class record', () => {
    const image = fresh();
    const { off } = section(image, L.SEC_CLASSES);
    dv(image).setUint32(off + L.CLASS_LABEL, 8 << L.CDEF_RANGE_SHIFT, true);
    rejects(image);
  });
});

describe('result index', () => {
  test('accepts only the SID whose record is the computed context', () => {
    const server = createSecurityServer(model);
    const s = server.contextToSid('system_u:user_r:proc_t:s0');
    const t = server.contextToSid('system_u:object_r:tmp_t:s0');
    const other = server.contextToSid('system_u:object_r:etc_t:s0');
    const file = server.classValue('file');
    const engine = (server as unknown as { engine: WasmEngine }).engine;
    expect(engine.labelCompute(L.LRULE_TYPE_TRANSITION, s, t, file, 0, 0)).toBe(L.LBL_MISS);
    expect(engine.labelCacheInsert(other)).toBe(false); // another context's SID is not indexed
    expect(engine.labelCompute(L.LRULE_TYPE_TRANSITION, s, t, file, 0, 0)).toBe(L.LBL_MISS);
    const right = server.contextToSid('system_u:object_r:tmp_child_t:s0');
    expect(engine.labelCacheInsert(right)).toBe(true);
    expect(engine.labelCompute(L.LRULE_TYPE_TRANSITION, s, t, file, 0, 0)).toBe(right);
    expect(engine.labelCacheInsert(right)).toBe(false); // no pending miss
    expect(server.computeNewLabel('create', s, t, file).context).toBe('system_u:object_r:tmp_child_t:s0');
  });

  test('an image whose label rules could not be read refuses label queries, not access decisions', () => {
    const image = fresh();
    dv(image).setUint32(L.H_FLAGS, imageHeader(image, L.H_FLAGS) | L.IMG_FLAG_NO_LABELS, true);
    const engine = WasmEngine.create(image, sidBytes);
    expect(engine.labelCompute(L.LRULE_TYPE_TRANSITION, 1, 1, 1, 0, 0)).toBe(L.LBL_NO_POLICY);
  });
});
