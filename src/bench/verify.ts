/**
 * Peer equivalence: before a peer is timed, its decisions on the whole workload must equal the
 * engine's, query by query. The first difference aborts the run with a message naming the peer and
 * the query (a fast peer that answers differently measures nothing worth comparing).
 */
import { benchError } from '../errors.js';
import { describeQuery, type Workload } from './workload.js';

export interface DecidingPeer {
  readonly name: string;
  decideAll(out: Uint8Array): void;
}

/** The index of the first differing decision, or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array, n: number): number {
  for (let i = 0; i < n; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return i;
  return -1;
}

/** Throws E_BENCH peer-mismatch naming the peer and the first query where it differs from `ours`. */
export function verifyPeer(w: Workload, ours: Uint8Array, peer: DecidingPeer): void {
  const n = w.queries.length;
  const theirs = new Uint8Array(n);
  peer.decideAll(theirs);
  const i = firstDifference(ours, theirs, n);
  if (i < 0) return;
  const verdict = (v: number | undefined): string => (v === 1 ? 'granted' : 'denied');
  throw benchError(
    'peer-mismatch',
    `peer "${peer.name}" disagrees with svirt on query #${i} of ${n} (${w.shape} workload): ` +
      `${describeQuery(w, w.queries[i]!)} — svirt: ${verdict(ours[i])}, ${peer.name}: ${verdict(theirs[i])}. ` +
      `The peer was not timed.`,
  );
}
