/**
 * The public API contract. Implementations live elsewhere; `src/index.ts` re-exports.
 *
 * Units: SIDs, class values and permission masks are u32. A permission mask has bit (value - 1) set
 * for each permission of the class (kernel/libsepol convention).
 *
 * Arguments: every SID, class and mask must be an integer in 0..2^32-1 and every name a string, else
 * the call throws an E_BAD_ARGUMENT SvirtError (a value such as 2^32 + sid is never wrapped into a
 * different request). A well-formed request for something that does not exist (SID 0, a SID never
 * issued, class 0, a class above the policy's) is a denial.
 */
import type { HandleUnknown, PolicyModel } from './policy/model.js';

export type { PolicyModel, HandleUnknown } from './policy/model.js';

/** `struct av_decision` (K include/security.h). */
export interface AccessDecision {
  allowed: number;
  auditallow: number;
  /** bits whose denial is audited; starts all ones, dontaudit clears bits */
  auditdeny: number;
  seqno: number;
  flags: number;
}

/** AVD_FLAGS_PERMISSIVE: the source type is a permissive domain. */
export const AVD_FLAGS_PERMISSIVE = 0x1;

/** libsepol's SEPOL_COMPUTEAV_* reason names, as `svirt compute-av` prints them. */
export type DenyReason = 'TE' | 'CONS' | 'RBAC' | 'BOUNDS';

/** Reason bits, identical to libsepol (S include/sepol/policydb/services.h). */
export const REASON_TE = 0x1;
export const REASON_CONS = 0x2;
export const REASON_RBAC = 0x4;
export const REASON_BOUNDS = 0x8;

/** An access decision together with libsepol's reason mask for the requested permissions. */
export interface ReasonedDecision extends AccessDecision {
  /** REASON_* bits as libsepol sets them (BOUNDS may be set even when every requested bit is allowed) */
  reason: number;
}

/**
 * The AVC bucket hash: `xor` is K avc_hash through v6.18, (ssid ^ tsid << 2 ^ tclass << 4) & mask;
 * `murmur` is K av_hash from v6.19 (include/hash.h, a MurmurHash3 mix), which spreads the small,
 * dense SIDs of a real host over far more buckets.
 */
export type AvcHash = 'xor' | 'murmur';

/** AVC geometry; defaults are the kernel's (K avc.c): 512 slots, threshold 512, reclaim 16, XOR hash. */
export interface AvcOptions {
  slots?: number;
  threshold?: number;
  reclaim?: number;
  hash?: AvcHash;
}

/** Kernel AVC statistics names (K avc.h struct avc_cache_stats; hits = lookups - misses). */
export interface AvcStats {
  lookups: number;
  hits: number;
  misses: number;
  allocations: number;
  reclaims: number;
  frees: number;
  /** nodes currently in the cache */
  activeNodes: number;
}

/** What an audit record says about the object and the caller (K lsm_audit.c). */
export interface AuditData {
  pid?: number;
  comm?: string;
  path?: string;
  name?: string;
  dev?: string;
  ino?: number;
}

/** One kernel-format AVC record. */
export interface AuditRecord {
  readonly denied: boolean;
  /** the permissions printed in the record */
  readonly perms: readonly string[];
  readonly scontext: string;
  readonly tcontext: string;
  readonly tclass: string;
  readonly permissive: boolean;
  /** the text exactly as the kernel writes it: `avc:  denied  { read } for  pid=…` */
  readonly text: string;
}

export type AuditSink = (record: AuditRecord) => void;

export interface LoadPolicyOptions {
  /**
   * boolean overrides applied before the first decision: a Map, or an object whose own keys are
   * the names; an unknown name is E_UNKNOWN_BOOL, a value that is not a boolean E_BAD_ARGUMENT
   */
  booleans?: Record<string, boolean> | ReadonlyMap<string, boolean>;
  avc?: AvcOptions;
  /** start in enforcing mode (default true) */
  enforcing?: boolean;
  /** override the policy's handle_unknown */
  handleUnknown?: HandleUnknown;
}

/**
 * The security server + AVC facade: the library's main object.
 * Every check that cannot be decided (bad SID, unknown class, engine trap) is a denial.
 */
export interface SecurityServer {
  readonly model: PolicyModel;
  /** policy load / boolean change counter (K latest_granting) */
  readonly seqno: number;

  /** Parse, validate and intern a context; throws ContextError. Same context → same SID. */
  contextToSid(context: string): number;
  /** Canonical text of a SID's context. */
  sidToContext(sid: number): string;

  /** Class value by name; throws E_UNKNOWN_CLASS. */
  classValue(name: string): number;
  /** Permission mask for names of a class; throws E_UNKNOWN_PERM. An empty list is mask 0. */
  permMask(tclass: number, perms: readonly string[]): number;
  /** Permission names of a mask, ascending bit order (unnamed bits as `0x…`). */
  permNames(tclass: number, mask: number): string[];

  /** The security server's decision, bypassing the AVC (K security_compute_av). */
  computeAv(ssid: number, tsid: number, tclass: number): AccessDecision;
  /** Decision plus libsepol reason mask for `requested` (S sepol_compute_av_reason). */
  computeAvReason(ssid: number, tsid: number, tclass: number, requested: number): ReasonedDecision;

  /**
   * AVC check without audit (K avc_has_perm_noaudit): true when granted. `requested` 0 asks for
   * nothing and is an E_BAD_ARGUMENT error (the kernel WARNs and denies), never "granted".
   */
  hasPermNoAudit(ssid: number, tsid: number, tclass: number, requested: number): boolean;
  /** AVC check and audit (K avc_has_perm): writes a record to the sink when audit rules say so. Arguments as hasPermNoAudit. */
  hasPerm(ssid: number, tsid: number, tclass: number, requested: number, data?: AuditData): boolean;

  /**
   * Batch AVC check over typed arrays: out[i] = 1 granted, 0 denied, for i < n. No audit. The fast
   * path for many checks per call. ssid/tsid/tclass/requested are Uint32Arrays and out a Uint8Array,
   * all of one length L; n is an integer in 0..L (default L), and out[n..L) is left as it was. A
   * request of 0 is a denial here. On E_BAD_ARGUMENT every slot of `out` is first set to 0.
   */
  checkBatch(
    ssid: Uint32Array,
    tsid: Uint32Array,
    tclass: Uint32Array,
    requested: Uint32Array,
    out: Uint8Array,
    n?: number,
  ): void;

  setBoolean(name: string, value: boolean): void;
  getBoolean(name: string): boolean;
  setEnforcing(enforcing: boolean): void;
  readonly enforcing: boolean;
  /** Load a new policy: bumps the seqno, flushes the AVC, keeps SIDs (re-validated by name). */
  reload(model: PolicyModel): void;

  avcStats(): AvcStats;
  /** `/sys/fs/selinux/avc/hash_stats` text */
  avcHashStats(): string;
  onAudit(sink: AuditSink | undefined): void;
}
