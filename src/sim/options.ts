/**
 * `svirt stress` options: defaults, parsing from CLI strings, validation (E_USAGE → exit 2).
 */
import { parseBoolAssignments } from '../security/bool-assignments.js';
import { quoteInput, usageError } from '../errors.js';
import type { AvcOptions } from '../types.js';
import { type FaultName, parseFaults } from './faults.js';
import { defaultWorkers } from './pool.js';

export interface StressOptions {
  guests: number;
  imagesPerGuest: number;
  workers: number;
  /** run length in ms (exclusive with ops) */
  durationMs: number | undefined;
  /** total operations (exclusive with durationMs); a seeded ops run is reproducible */
  ops: number | undefined;
  /** share of operations aimed at other guests and at host files, 0..1 */
  attackRatio: number;
  /** share of the attacks aimed at host files (the rest at other guests) */
  hostShare: number;
  /** share of other-guest attacks aimed at the guest's process (signal, ptrace) */
  processShare: number;
  /** policy file; undefined = the embedded sVirt policy */
  policy: string | undefined;
  /** host state (label manager SQLite store) to take guests and labels from */
  state: string | undefined;
  seed: number;
  /** true when the seed came from --seed */
  seeded: boolean;
  faults: FaultName[];
  batchSize: number;
  /** operations per pool task (chunk) */
  chunkOps: number;
  /** operations in each lane's pre-generated ring (ring.ts); the lane's stream repeats it */
  ringOps: number;
  avc: AvcOptions;
  booleans: Record<string, boolean>;
}

export const DEFAULTS = {
  guests: 256,
  imagesPerGuest: 2,
  durationMs: 10_000,
  attackRatio: 0.25,
  hostShare: 0.2,
  processShare: 0.2,
  /** checks per engine call: large batches make the per-call JS work (one memcmp) negligible */
  batchSize: 4096,
  /**
   * Operations per pool task (in --ops runs at most an eighth of a lane's share, so mid-run faults
   * land mid-run). Each chunk costs the main thread a result merge and a post (~1 ms round trip on
   * the 2-core VM, hidden by the next chunk already queued on the worker: protocol.ts
   * CHUNKS_IN_FLIGHT); 2^21 ops is 15–50 ms of work per chunk. --duration overshoots by at most
   * the chunks in flight.
   */
  chunkOps: 1 << 21,
  /**
   * Ring of 2^16 operations per lane (2 MB). Its distinct (ssid, tsid, tclass) keys are the AVC's
   * working set: with 256 guests and --attack-ratio 0.25 a lane's ring has ~13k of them, which fit
   * the 16384-entry AVC, so replays are hits. A larger ring widens cross-guest pair coverage and
   * the working set alike (beyond the AVC threshold every replay misses again: compute_av per op).
   */
  ringOps: 1 << 16,
  /**
   * The simulator's AVC is a v6.19+ kernel's: its largest configurable table
   * (CONFIG_SECURITY_SELINUX_AVC_HASH_BITS = 14) so that a worker's share of 256 guests' own-image
   * decisions fits in the cache, hashed with that kernel's av_hash (types.ts AvcHash). With the
   * older XOR hash the small SIDs of a simulated host crowd into a few buckets (chains of 6 on
   * average) and every check walks them (`--avc-hash xor` shows it).
   */
  avc: { slots: 16384, threshold: 16384, reclaim: 16, hash: 'murmur' } satisfies AvcOptions,
} as const;

function int(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim())) throw usageError(`${name} expects an integer, got ${quoteInput(text)}`);
  const v = Number(text);
  if (v < min || v > max) throw usageError(`${name} must be in ${min}..${max}, got ${v}`);
  return v;
}

/** `10s`, `500ms`, `2m`, or a plain number of seconds → ms */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw usageError(`--duration expects e.g. 10s, 500ms or 2m, got ${quoteInput(text)}`);
  const v = Number(m[1]);
  const ms = m[2] === 'ms' ? v : m[2] === 'm' ? v * 60_000 : v * 1000;
  if (!(ms > 0) || ms > 24 * 3600_000) throw usageError(`--duration must be between 1ms and 24h, got ${quoteInput(text)}`);
  return ms;
}

function ratio(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) throw usageError(`${name} expects a number in 0..1, got ${quoteInput(text)}`);
  return v;
}

/** Raw option strings as commander hands them over. */
export interface RawStressOptions {
  guests?: string;
  imagesPerGuest?: string;
  workers?: string;
  duration?: string;
  ops?: string;
  attackRatio?: string;
  policy?: string;
  state?: string;
  seed?: string;
  fault?: string[];
  batch?: string;
  avcSlots?: string;
  /** `xor` (K ≤ v6.18) or `murmur` (K v6.19+) */
  avcHash?: string;
  ring?: string;
  /** `NAME=VALUE` boolean overrides (repeatable) */
  bool?: string[];
}

export function resolveOptions(raw: RawStressOptions, randomSeed: () => number): StressOptions {
  if (raw.duration !== undefined && raw.ops !== undefined) throw usageError('--duration and --ops are mutually exclusive');
  const ops = int('--ops', raw.ops, 1, Number.MAX_SAFE_INTEGER);
  const seed = int('--seed', raw.seed, 0, 0xffffffff);
  const slots = int('--avc-slots', raw.avcSlots, 1, 1 << 20);
  if (slots !== undefined && (slots & (slots - 1)) !== 0) throw usageError(`--avc-slots must be a power of two, got ${slots}`);
  const hash = raw.avcHash ?? DEFAULTS.avc.hash;
  if (hash !== 'xor' && hash !== 'murmur') throw usageError(`--avc-hash must be xor or murmur, got ${quoteInput(hash)}`);
  return {
    guests: int('--guests', raw.guests, 1, 523_776) ?? DEFAULTS.guests,
    imagesPerGuest: int('--images-per-guest', raw.imagesPerGuest, 1, 64) ?? DEFAULTS.imagesPerGuest,
    workers: int('--workers', raw.workers, 1, 256) ?? defaultWorkers(),
    durationMs: ops !== undefined ? undefined : raw.duration !== undefined ? parseDuration(raw.duration) : DEFAULTS.durationMs,
    ops,
    attackRatio: ratio('--attack-ratio', raw.attackRatio, DEFAULTS.attackRatio),
    hostShare: DEFAULTS.hostShare,
    processShare: DEFAULTS.processShare,
    policy: raw.policy,
    state: raw.state,
    seed: seed ?? randomSeed(),
    seeded: seed !== undefined,
    faults: parseFaults(raw.fault ?? []),
    batchSize: int('--batch', raw.batch, 1, 4096) ?? DEFAULTS.batchSize,
    chunkOps: DEFAULTS.chunkOps,
    ringOps: int('--ring', raw.ring, 1, 1 << 24) ?? DEFAULTS.ringOps,
    avc: slots !== undefined ? { slots, threshold: slots, reclaim: 16, hash } : { ...DEFAULTS.avc, hash },
    booleans: parseBoolAssignments(raw.bool ?? []),
  };
}
