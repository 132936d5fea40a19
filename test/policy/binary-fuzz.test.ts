/**
 * Fuzz: mutated and truncated copies of real policies (Debian policy.33 when installed; the fixture
 * compiled by checkpolicy; the hand-built minimal policy always) must each give either a PolicyModel
 * or a BinaryPolicyError — never another exception, never an "internal reader error" (a reader bug
 * caught by the fail-closed wrapper), never a hang. Mutations: random byte flips, inserted and
 * deleted byte runs, u32 fields set to huge values, truncation. Deterministic PRNG, bounded time.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BinaryPolicyError } from '../../src/errors.js';
import { readBinaryPolicy } from '../../src/policy/binary.js';
import { rng } from '../conformance/mutate.js';
import { buildMinimalPolicy } from './binary-builder.js';
import { DEBIAN_POLICY, HAVE_CHECKPOLICY, HAVE_DEBIAN_POLICY, compilePolicy, fixtureText, warnSkip } from './binary-env.js';

if (!HAVE_DEBIAN_POLICY) warnSkip(`binary-fuzz on Debian's policy needs ${DEBIAN_POLICY}`);

const HUGE = [0xffffffff, 0x80000000, 0x7fffffff, 0x10000, 0xffff, 65, 0];

function mutate(src: Uint8Array, r: (n: number) => number, focus: number): Uint8Array {
  // bias mutations towards the start of the file (headers, symbol tables) `focus` bytes wide
  const pos = (len: number): number => (r(4) === 0 ? r(len) : r(Math.min(len, focus)));
  switch (r(5)) {
    case 0: {
      const out = src.slice();
      const flips = 1 + r(4);
      for (let i = 0; i < flips; i++) {
        const at = pos(out.length);
        out[at] = out[at]! ^ (1 << r(8));
      }
      return out;
    }
    case 1: {
      const at = pos(src.length);
      const n = 1 + r(8);
      const out = new Uint8Array(src.length + n);
      out.set(src.subarray(0, at));
      for (let i = 0; i < n; i++) out[at + i] = r(256);
      out.set(src.subarray(at), at + n);
      return out;
    }
    case 2: {
      const n = Math.min(src.length, 1 + r(8));
      const at = pos(src.length - n + 1);
      const out = new Uint8Array(src.length - n);
      out.set(src.subarray(0, at));
      out.set(src.subarray(at + n), at);
      return out;
    }
    case 3: {
      const out = src.slice();
      const at = pos(Math.max(1, out.length - 3)) & ~3;
      new DataView(out.buffer).setUint32(at, HUGE[r(HUGE.length)]!, true);
      return out;
    }
    default:
      return src.subarray(0, pos(src.length));
  }
}

interface FuzzStats {
  runs: number;
  models: number;
  errors: number;
  sections: Set<string>;
}

function fuzz(seed: Uint8Array, ms: number, seedNo: number, focus: number): FuzzStats {
  const r = rng(seedNo);
  const stats: FuzzStats = { runs: 0, models: 0, errors: 0, sections: new Set() };
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const input = mutate(seed, r, focus);
    const t0 = Date.now();
    try {
      readBinaryPolicy(input);
      stats.models++;
    } catch (e) {
      if (!(e instanceof BinaryPolicyError)) throw new Error(`run ${stats.runs}: non-BinaryPolicyError ${String(e)}`, { cause: e });
      if (/internal reader error/.test(e.message)) throw new Error(`run ${stats.runs}: reader bug: ${e.message}`, { cause: e });
      stats.errors++;
      stats.sections.add(e.section);
    }
    // a single read of a 2 MB policy takes well under a second even on a loaded machine
    expect(Date.now() - t0).toBeLessThan(5000);
    stats.runs++;
  }
  return stats;
}

describe('binary policy fuzzing', () => {
  it('minimal hand-built policy (3 s)', () => {
    const s = fuzz(buildMinimalPolicy().bytes, 3000, 1, 1 << 30);
    expect(s.runs).toBeGreaterThan(1000);
    expect(s.errors).toBeGreaterThan(0);
  });

  it.skipIf(!HAVE_CHECKPOLICY)('fixture compiled by checkpolicy (5 s)', () => {
    const s = fuzz(compilePolicy(fixtureText(), 33), 5000, 2, 1 << 30);
    expect(s.runs).toBeGreaterThan(1000);
    expect(s.sections.size).toBeGreaterThan(5);
  });

  it.skipIf(!HAVE_DEBIAN_POLICY)("Debian's policy.33 (12 s)", () => {
    const seed = new Uint8Array(readFileSync(DEBIAN_POLICY));
    const s = fuzz(seed, 12000, 3, 64 * 1024);
    expect(s.runs).toBeGreaterThan(20);
    expect(s.errors).toBeGreaterThan(0);
  });
});
