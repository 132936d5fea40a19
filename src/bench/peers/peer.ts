/**
 * What every peer in a benchmark provides: its decisions on the whole workload (checked against the
 * engine before any timing) and a timed sample over a prefix of the same query stream.
 */
export interface PreparedPeer {
  /** row name in the report, e.g. `ours (single)`, `casbin 5.51.1` */
  readonly name: string;
  /** one decision per workload query, in order: 1 granted, 0 denied */
  decideAll(out: Uint8Array): void;
  /** checks in one timed sample (a prefix of the stream, or the whole stream) */
  readonly opsPerSample: number;
  /** one timed sample: decide `opsPerSample` queries; returns the number granted (a sink) */
  sample(): number;
  /** a short note printed beside the figures (cache geometry, what is timed) */
  readonly note?: string;
  /** a note computed after timing (e.g. the measured AVC miss rate) */
  finalNote?(): string;
  close?(): void;
}

/** A peer timed by its own harness instead of tinybench (libsepol's C harness). */
export interface ExternalPeer {
  readonly name: string;
  readonly note?: string;
  decideAll(out: Uint8Array): void;
  /** median-free single figure the harness reports: ns per decision */
  time(minMs: number): { nsPerOp: number; ops: number };
}
