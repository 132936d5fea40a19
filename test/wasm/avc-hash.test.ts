/**
 * The AVC's two bucket hashes (assembly/avc.ts), checked against TS transcriptions of the kernel
 * formulas (docs/selinux-semantics.md): K avc_hash through v6.18 and K av_hash
 * (include/hash.h) from v6.19, for any key and table size. The av_hash transcription is built from
 * MurmurHash3 helpers that are themselves checked against MurmurHash3's published test vectors. Also why the simulator uses av_hash:
 * on a host's small, dense SIDs the XOR hash crowds keys into few buckets.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { createSecurityServer } from '../../src/security/server.js';
import type { AvcHash } from '../../src/types.js';
import { WasmEngine } from '../../src/wasm/engine.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

/** K avc_hash through v6.18 */
function xorHash(ssid: number, tsid: number, tclass: number, mask: number): number {
  return ((ssid ^ (tsid << 2) ^ (tclass << 4)) & mask) >>> 0;
}

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;
/** MurmurHash3_x86_32's per-block key scramble */
const scramble = (k: number): number => Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593);
/** MurmurHash3_x86_32's body step */
const step = (h: number, k: number): number => (Math.imul(rotl((h ^ scramble(k)) >>> 0, 13), 5) + 0xe6546b64) >>> 0;
/** MurmurHash3's fmix32 finaliser */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3_x86_32 of a byte string (tail and length included), built from the helpers above */
function murmur3(text: string, seed: number): number {
  const b = Buffer.from(text);
  let h = seed >>> 0;
  let i = 0;
  for (; i + 4 <= b.length; i += 4) h = step(h, b.readUInt32LE(i));
  let tail = 0;
  for (let j = b.length - 1; j >= i; j--) tail = (tail << 8) | b[j]!;
  if (b.length > i) h = (h ^ scramble(tail)) >>> 0;
  return fmix((h ^ b.length) >>> 0);
}

/** K av_hash(key1, key2, key3, mask), v6.19: the body step per key from 0, fmix32, no length mixed in */
function avHash(k1: number, k2: number, k3: number, mask: number): number {
  return (fmix(step(step(step(0, k1), k2), k3)) & mask) >>> 0;
}

test('the MurmurHash3 helpers reproduce the published MurmurHash3_x86_32 test vectors', () => {
  // SMHasher's reference vectors as listed on Wikipedia's MurmurHash page
  expect(murmur3('', 0)).toBe(0);
  expect(murmur3('', 1)).toBe(0x514e28b7);
  expect(murmur3('test', 0)).toBe(0xba6bd213);
  expect(murmur3('Hello, world!', 0x9747b28c)).toBe(0x24884cba);
  expect(murmur3('The quick brown fox jumps over the lazy dog', 0x9747b28c)).toBe(0x2fa826cd);
});

const server = createSecurityServer(svirtExampleBuilder().build());

function engine(slots: number, hash: AvcHash): WasmEngine {
  return WasmEngine.create(server.exportImage(), server.exportSidTable(), { slots, threshold: 16, hash });
}

test.each([
  ['xor', xorHash],
  ['murmur', avHash],
] as const)('the %s bucket of any key equals the kernel formula', (hash, formula) => {
  for (const slots of [1, 512, 16384, 1 << 20]) {
    const e = engine(slots, hash);
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffff }), (s, t, c) => {
        expect(e.core.avcBucket(s, t, c) >>> 0).toBe(formula(s, t, c, slots - 1));
      }),
      { numRuns: 500, seed: slots },
    );
  }
});

test('av_hash keys are ordered (ssid, tsid, tclass), as K avc_hash passes them', () => {
  const e = engine(1 << 20, 'murmur');
  const mask = (1 << 20) - 1;
  expect(e.core.avcBucket(1, 2, 3) >>> 0).toBe(avHash(1, 2, 3, mask));
  expect(avHash(1, 2, 3, mask)).not.toBe(avHash(3, 2, 1, mask));
});

test('on dense host SIDs the engine\'s av_hash spreads keys over far more buckets than its XOR hash', () => {
  // 256 guest domains × 512 images × 2 classes, SIDs numbered densely as a SID table issues them
  const xor = engine(16384, 'xor');
  const murmur = engine(16384, 'murmur');
  const used = { xor: new Set<number>(), murmur: new Set<number>() };
  for (let g = 0; g < 256; g++) {
    for (let i = 0; i < 512; i++) {
      for (const c of [6, 7]) {
        used.xor.add(xor.core.avcBucket(10 + g, 300 + i, c));
        used.murmur.add(murmur.core.avcBucket(10 + g, 300 + i, c));
      }
    }
  }
  // the XOR hash of SIDs < 1024 and classes < 16 can only reach bucket numbers < 4096
  expect(used.xor.size).toBeLessThanOrEqual(4096);
  expect(used.murmur.size).toBe(16384);
});

test('an unknown hash name is refused', () => {
  expect(() => engine(512, 'fnv' as AvcHash)).toThrow(/AVC hash must be/);
});
