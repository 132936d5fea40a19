/**
 * The class-major AV index (SEC_AV_CLASSMAP / SEC_AV_GROUPS / SEC_AV_TARGETS, assembly/avtab.ts
 * avIndexLoad) must describe the AV records exactly; any disagreement makes the image load fail
 * (fail closed) instead of producing decisions that differ from the key-by-key avtab semantics.
 */
import { describe, expect, test } from 'vitest';
import { buildPolicyImage, imageHeader } from '../../src/policy/image.js';
import { SidTable } from '../../src/security/sidtab.js';
import { WasmEngine } from '../../src/wasm/engine.js';
import * as L from '../../src/wasm/layout.js';
import { randomPolicy } from '../support/random-policy.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

const model = svirtExampleBuilder().build();
const sidBytes = new SidTable(model).exportBytes();

function section(image: Uint8Array, id: number): { off: number; size: number } {
  const e = L.H_SECTIONS + id * L.SECTION_ENTRY_SIZE;
  return { off: imageHeader(image, e), size: imageHeader(image, e + 4) };
}
function word(image: Uint8Array, off: number): number {
  return new DataView(image.buffer, image.byteOffset).getUint32(off, true);
}
function setWord(image: Uint8Array, off: number, v: number): void {
  new DataView(image.buffer, image.byteOffset).setUint32(off, v >>> 0, true);
}
const load = (image: Uint8Array): WasmEngine => WasmEngine.create(image, sidBytes);

describe('AV index of a built image', () => {
  test('is well formed: sorted records, groups covering them in order, ranks counting set bits', () => {
    for (const m of [model, randomPolicy(7), randomPolicy(11)]) {
      const image = buildPolicyImage(m, { seqno: 1 });
      expect(() => load(image)).not.toThrow();
      const recs = section(image, L.SEC_AVTAB);
      expect(section(image, L.SEC_AV_TARGETS).size).toBe((recs.size / L.AV_REC_SIZE) * 2 + 3 & ~3);
      const groups = section(image, L.SEC_AV_GROUPS);
      const nav = recs.size / L.AV_REC_SIZE;
      let covered = 0;
      for (let g = 0; g < groups.size / L.AV_GROUP_SIZE; g++) {
        const first = word(image, groups.off + g * L.AV_GROUP_SIZE + L.AV_GROUP_FIRST);
        const count = word(image, groups.off + g * L.AV_GROUP_SIZE + L.AV_GROUP_COUNT);
        expect(first).toBe(covered);
        expect(count).toBeGreaterThan(0);
        covered += count;
      }
      expect(covered).toBe(nav);
    }
  });
});

describe('a corrupt AV index is refused at load (fail closed)', () => {
  const fresh = (): Uint8Array => buildPolicyImage(model, { seqno: 1 });
  const expectRejected = (image: Uint8Array): void => {
    expect(() => load(image)).toThrow(/policy image rejected/);
  };

  test('group count off by one', () => {
    const image = fresh();
    const g = section(image, L.SEC_AV_GROUPS);
    setWord(image, g.off + L.AV_GROUP_COUNT, word(image, g.off + L.AV_GROUP_COUNT) + 1);
    expectRejected(image);
  });

  test('group pointing past the records', () => {
    const image = fresh();
    const g = section(image, L.SEC_AV_GROUPS);
    const last = g.off + g.size - L.AV_GROUP_SIZE;
    setWord(image, last + L.AV_GROUP_FIRST, 0xfffffff0);
    expectRejected(image);
  });

  test('a target key out of range', () => {
    const image = fresh();
    const t = section(image, L.SEC_AV_TARGETS);
    setWord(image, t.off, word(image, t.off) | 0xffff);
    expectRejected(image);
  });

  test('targets out of order within a group', () => {
    const image = fresh();
    const g = section(image, L.SEC_AV_GROUPS);
    const t = section(image, L.SEC_AV_TARGETS);
    const u16 = new DataView(image.buffer, image.byteOffset);
    for (let k = 0; k < g.size / L.AV_GROUP_SIZE; k++) {
      const first = word(image, g.off + k * L.AV_GROUP_SIZE + L.AV_GROUP_FIRST);
      const count = word(image, g.off + k * L.AV_GROUP_SIZE + L.AV_GROUP_COUNT);
      for (let i = first; i + 1 < first + count; i++) {
        const a = u16.getUint16(t.off + i * 2, true);
        const b = u16.getUint16(t.off + i * 2 + 2, true);
        if (a === b) continue;
        u16.setUint16(t.off + i * 2, b, true);
        u16.setUint16(t.off + i * 2 + 2, a, true);
        expectRejected(image);
        return;
      }
    }
    throw new Error('the example model has no group with two distinct targets');
  });

  test('rank not counting the set bits before it', () => {
    const image = fresh();
    const cm = section(image, L.SEC_AV_CLASSMAP);
    let patched = false;
    for (let p = cm.off; p < cm.off + cm.size && !patched; p += 8) {
      if (word(image, p) !== 0) {
        setWord(image, p + 4, word(image, p + 4) + 1);
        patched = true;
      }
    }
    expect(patched).toBe(true);
    expectRejected(image);
  });

  test('a source bit without a group of its own', () => {
    const image = fresh();
    const cm = section(image, L.SEC_AV_CLASSMAP);
    let patched = false;
    for (let p = cm.off; p < cm.off + cm.size && !patched; p += 8) {
      const bits = word(image, p);
      if (bits !== 0 && bits !== 0xffffffff) {
        setWord(image, p, bits | (bits + 1)); // set the lowest clear bit
        patched = true;
      }
    }
    expect(patched).toBe(true);
    expectRejected(image);
  });

  test('a type_attr_map list out of order (the core merges sorted lists)', () => {
    const image = fresh();
    const types = section(image, L.SEC_TYPES);
    for (let t = 0; t < types.size / L.TYPE_REC_SIZE; t++) {
      const rec = types.off + t * L.TYPE_REC_SIZE;
      if (word(image, rec + L.TYPE_ATTR_COUNT) < 2) continue;
      const off = word(image, rec + L.TYPE_ATTR_OFF);
      const a = word(image, off);
      setWord(image, off, word(image, off + 4));
      setWord(image, off + 4, a);
      expectRejected(image);
      return;
    }
    throw new Error('the example model has no type with an attribute');
  });
});
