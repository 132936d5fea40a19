/**
 * Seeded pseudo-random numbers for the simulator: sfc32 (Chris Doty-Humphrey's "small fast chaotic"
 * generator, 128-bit state, period ≥ 2^32, passes PractRand to 2^40+), seeded through splitmix32.
 *
 * Reproducibility contract: the stream of a workload chunk is a pure function of
 * (run seed, lane, chunk index), so a seeded `--ops` run makes the same operations in the same
 * order no matter which worker thread executes which chunk, or how often a chunk is retried.
 */

/** splitmix32 finaliser: a bijective u32 → u32 mixer. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A stream key from several u32 parts (order matters). */
export function streamKey(...parts: readonly number[]): number {
  let h = 0x2545f491;
  for (const p of parts) h = mix32((h ^ (p >>> 0)) >>> 0);
  return h;
}

/** sfc32 state in a plain object of four u32 fields (kept monomorphic for V8). */
export class Sfc32 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = mix32(seed);
    this.b = mix32(this.a ^ 0x6a09e667);
    this.c = mix32(this.b ^ 0xbb67ae85);
    this.d = 1;
    // discard the first outputs: sfc32's recommended warm-up
    for (let i = 0; i < 12; i++) this.next();
  }

  /** next u32 */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (multiply-high; bias < n / 2^32) */
  below(n: number): number {
    return Math.floor((this.next() * n) / 4294967296);
  }
}

/** A fresh random u32 seed for runs without `--seed`. */
export function randomSeed(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0]!;
}
