/**
 * Our engine as a peer: the SecurityServer facade (src/security/server.ts) over the Wasm core,
 * driven through its public API only — `hasPermNoAudit` one call per check, or `checkBatch` over
 * typed arrays. SIDs are interned before timing (a real caller holds SIDs, not strings).
 */
import { createSecurityServer, type WasmSecurityServer } from '../../security/server.js';
import type { AvcOptions } from '../../types.js';
import { queryArrays, type Workload } from '../workload.js';
import type { PreparedPeer } from './peer.js';

/** A wrapper around one Wasm batch call; tests inject a slowdown here (see suites.ts BenchHooks). */
export type CallWrapper = (call: () => void) => void;

export interface WasmPeerOptions {
  readonly name: string;
  /** checks per sample (a prefix of the stream; default: all) */
  readonly opsPerSample?: number;
}

/**
 * One server + the query arrays. Cases of a suite share it: V8 slows a call site that alternates
 * between Wasm instances (design.md), so a suite drives one instance through each call site.
 */
export interface Resolved {
  readonly server: WasmSecurityServer;
  readonly ssid: Uint32Array;
  readonly tsid: Uint32Array;
  readonly tclass: Uint32Array;
  readonly req: Uint32Array;
}

/** A fresh server for the workload's policy and the four query arrays (SIDs interned now). */
export function resolveForWasm(w: Workload, avc?: AvcOptions): Resolved {
  const server = createSecurityServer(w.model, avc ? { avc } : {});
  const sids = w.labels.map((l) => server.contextToSid(l.context));
  return { server, ...queryArrays(w, (label) => sids[label]!) };
}

function avcNote(server: WasmSecurityServer): string {
  const s = server.avcStats();
  const rate = s.lookups > 0 ? (100 * s.misses) / s.lookups : 0;
  return `AVC ${server.avcStats().activeNodes} nodes, miss rate ${rate.toFixed(1)}%`;
}

/** `hasPermNoAudit` per check (K avc_has_perm_noaudit): AVC lookup, compute_av on a miss. */
export function prepareWasmSingle(r: Resolved, opts: WasmPeerOptions): PreparedPeer {
  const { server, ssid, tsid, tclass, req } = r;
  const n = Math.min(opts.opsPerSample ?? ssid.length, ssid.length);
  return {
    name: opts.name,
    opsPerSample: n,
    decideAll(out) {
      for (let i = 0; i < ssid.length; i++) out[i] = server.hasPermNoAudit(ssid[i]!, tsid[i]!, tclass[i]!, req[i]!) ? 1 : 0;
    },
    sample() {
      let granted = 0;
      for (let i = 0; i < n; i++) if (server.hasPermNoAudit(ssid[i]!, tsid[i]!, tclass[i]!, req[i]!)) granted++;
      return granted;
    },
    finalNote: () => avcNote(server),
  };
}

export interface WasmBatchOptions extends WasmPeerOptions {
  /** checks per checkBatch call (default 4096) */
  readonly batchSize?: number;
  /** wraps every checkBatch call (slowdown injection for the gate tests) */
  readonly wrapCall?: CallWrapper;
}

/** `checkBatch` over typed arrays, `batchSize` checks per call, no audit. */
export function prepareWasmBatch(r: Resolved, opts: WasmBatchOptions): PreparedPeer {
  const { server, ssid, tsid, tclass, req } = r;
  const total = ssid.length;
  const out = new Uint8Array(total);
  const size = Math.max(1, opts.batchSize ?? 4096);
  const n = Math.min(opts.opsPerSample ?? total, total);
  // one pre-made set of views per call, so a sample allocates nothing
  const calls: Array<() => void> = [];
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    const a = ssid.subarray(start, end);
    const b = tsid.subarray(start, end);
    const c = tclass.subarray(start, end);
    const d = req.subarray(start, end);
    const o = out.subarray(start, end);
    calls.push(() => server.checkBatch(a, b, c, d, o));
  }
  const wrap = opts.wrapCall;
  return {
    name: opts.name,
    opsPerSample: n,
    note: `${size} checks per call`,
    decideAll(dst) {
      server.checkBatch(ssid, tsid, tclass, req, dst, total);
    },
    sample() {
      if (wrap) for (const call of calls) wrap(call);
      else for (const call of calls) call();
      let granted = 0;
      for (let i = 0; i < n; i++) granted += out[i]!;
      return granted;
    },
    finalNote: () => `${size} checks per call; ${avcNote(server)}`,
  };
}
