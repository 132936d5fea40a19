// Byte layout of everything the TS side and the Wasm core share: the policy image, SID records,
// category sets, the out-struct and the AVC node. Mirrored once in src/wasm/layout.ts; the test
// test/wasm/layout-agreement.test.ts reads these exported globals and compares them one by one.
// All integers are little-endian u32 unless noted; every offset is in bytes.

// ---- policy image header (offsets from the image start) ----
/** 'SVIM' little-endian */
export const IMG_MAGIC: u32 = 0x4d495653;
export const IMG_VERSION: u32 = 4;
export const H_MAGIC: u32 = 0;
export const H_VERSION: u32 = 4;
/** policy seqno the image was built under (K latest_granting) */
export const H_SEQNO: u32 = 8;
/** total image size in bytes */
export const H_SIZE: u32 = 12;
/** bit 0: MLS enabled */
export const H_FLAGS: u32 = 16;
/** HU_DENY / HU_ALLOW / HU_REJECT */
export const H_HANDLE_UNKNOWN: u32 = 20;
export const H_NTYPES: u32 = 24;
export const H_NCLASSES: u32 = 28;
export const H_NROLES: u32 = 32;
export const H_NUSERS: u32 = 36;
export const H_NCONDS: u32 = 40;
/** class value of `process`, 0 when the policy has none */
export const H_PROCESS_CLASS: u32 = 44;
/** perm bits of process:transition | process:dyntransition (S process_trans_dyntrans) */
export const H_PROCESS_TRANS: u32 = 48;
/** image seal: FNV-1a checksum stamped and verified by the TS side (src/wasm/engine.ts); 0 = unsealed; the core ignores it */
export const H_SEAL: u32 = 52;
/** u32 words per role bitset (dominates, role allow) */
export const H_ROLE_WORDS: u32 = 56;
export const H_NSECTIONS: u32 = 60;
/** section table: NSECTIONS x {offset u32, size u32}, offsets from the image start */
export const H_SECTIONS: u32 = 64;
export const SECTION_ENTRY_SIZE: u32 = 8;

export const HU_DENY: u32 = 0;
export const HU_ALLOW: u32 = 1;
export const HU_REJECT: u32 = 2;
export const IMG_FLAG_MLS: u32 = 1;
/** the policy's label rules could not be read: labelCompute refuses every query (LBL_NO_POLICY) */
export const IMG_FLAG_NO_LABELS: u32 = 2;

// ---- section ids ----
/** ntypes x TYPE_REC, indexed by type value - 1 */
export const SEC_TYPES: u32 = 0;
/** u32 values: each type's type_attr_map list (the type itself + its attributes, sorted) */
export const SEC_TYPE_ATTR: u32 = 1;
/** nclasses x CLASS_REC, indexed by class value - 1 */
export const SEC_CLASSES: u32 = 2;
/** CONS_REC records, grouped per class in policy order */
export const SEC_CONSTRAINTS: u32 = 3;
/** CEXPR_REC records (postfix), grouped per constraint */
export const SEC_CEXPR: u32 = 4;
/** u32 words: NAMES bitsets (bit value - 1) */
export const SEC_NAMES: u32 = 5;
/** nroles x ROLE_WORDS words: role r's `dominates` bitset (bit value - 1) */
export const SEC_ROLE_DOM: u32 = 6;
/** nroles x ROLE_WORDS words: targets of `allow r1 r2;` (bit value - 1) */
export const SEC_ROLE_ALLOW: u32 = 7;
/**
 * AV_REC records (unconditional and conditional), sorted by (class, source key, target key, cond).
 * A record's key is not stored in it: the class and source come from its group (SEC_AV_CLASSMAP,
 * SEC_AV_GROUPS), the target from SEC_AV_TARGETS.
 */
export const SEC_AVTAB: u32 = 8;
/** nconds x u32: COND_* state per cond node; rewritten by TS on boolean changes */
export const SEC_COND_STATE: u32 = 9;
/**
 * AV index, class-major: per class value c (1..NCLASSES) a block of AVIDX_WORDS(ntypes) word pairs
 * {bits, rank}. Bit b of pair k: source key 32k+b+1 has >= 1 AV record for class c; rank = index
 * in SEC_AV_GROUPS of the first set bit of the pair (groups are in (class, source) order).
 * AVIDX_WORDS(n) = (n + 31) >>> 5.
 */
export const SEC_AV_CLASSMAP: u32 = 10;
/** AV_GROUP records, one per (class, source key) with records: its run of AV_RECs */
export const SEC_AV_GROUPS: u32 = 11;
/** u16 per AV_REC: its target key (ascending within a group), padded to 4 bytes */
export const SEC_AV_TARGETS: u32 = 12;
/**
 * New-object label rules (assembly/transition.ts): LABEL_REC open-addressing hash table with a
 * power-of-two number of slots (at least one empty), keyed (LRULE_* kind, a, b, class), linear
 * probing from labelRuleHash(key). Per key: the unconditional record first, then the conditional
 * ones in policy order (the probe meets them in insertion order).
 */
export const SEC_LABEL_RULES: u32 = 13;
/** RANGE_REC records: the ranges of range_transition rules (LABEL_VALUE of an LRULE_RANGE_TRANSITION record indexes them) */
export const SEC_LABEL_RANGES: u32 = 14;
export const NSECTIONS: u32 = 15;

// ---- records ----
export const TYPE_REC_SIZE: u32 = 16;
/** byte offset (from image start) of the type_attr_map list */
export const TYPE_ATTR_OFF: u32 = 0;
export const TYPE_ATTR_COUNT: u32 = 4;
/** bounding type value, 0 when none */
export const TYPE_BOUNDS: u32 = 8;
/** 1 when `permissive TYPE;` */
export const TYPE_PERMISSIVE: u32 = 12;

export const CLASS_REC_SIZE: u32 = 16;
export const CLASS_NPERMS: u32 = 0;
/** index of the first CONS_REC of the class */
export const CLASS_CONS_FIRST: u32 = 4;
export const CLASS_CONS_COUNT: u32 = 8;
/** new-object label defaults: CDEF_* fields (default_user/role/type/range, kernel socket class) */
export const CLASS_LABEL: u32 = 12;

export const CONS_REC_SIZE: u32 = 16;
export const CONS_PERMS: u32 = 0;
/** index of the first CEXPR_REC */
export const CONS_EXPR_FIRST: u32 = 4;
export const CONS_EXPR_COUNT: u32 = 8;

export const CEXPR_REC_SIZE: u32 = 24;
export const CEXPR_TYPE: u32 = 0;
export const CEXPR_ATTR: u32 = 4;
export const CEXPR_OP: u32 = 8;
/** NAMES: byte offset (from image start) of the bitset */
export const CEXPR_NAMES_OFF: u32 = 12;
/** NAMES: number of u32 words in the bitset */
export const CEXPR_NAMES_WORDS: u32 = 16;

export const AV_REC_SIZE: u32 = 16;
export const AV_ALLOWED: u32 = 0;
export const AV_AUDITALLOW: u32 = 4;
/** bits whose denial is audited (all ones = no dontaudit) */
export const AV_AUDITDENY: u32 = 8;
/** AV_UNCONDITIONAL, or (cond node index << 1) | branch (1 = true list, 0 = false list) */
export const AV_COND: u32 = 12;
export const AV_UNCONDITIONAL: u32 = 0xffffffff;
/** SEC_AV_GROUPS record: one (class, source key) run of AV_RECs */
export const AV_GROUP_SIZE: u32 = 8;
/** index of the group's first AV_REC */
export const AV_GROUP_FIRST: u32 = 0;
/** number of AV_RECs in the group (>= 1) */
export const AV_GROUP_COUNT: u32 = 4;

/** cond node states in SEC_COND_STATE */
export const COND_FALSE: u32 = 0;
export const COND_TRUE: u32 = 1;
/** malformed expression: neither list is enabled (S cond_evaluate_expr returns -1) */
export const COND_NONE: u32 = 2;

// ---- category sets and levels ----
/** 1024-bit set = 16 x u64 = 8 x v128; bit i = category value i + 1 */
export const CATS_SIZE: u32 = 128;
export const LEVEL_SIZE: u32 = 144;
/** sensitivity value (1-based; 0 in non-MLS policies) */
export const LEVEL_SENS: u32 = 0;
/** 16-byte aligned category set */
export const LEVEL_CATS: u32 = 16;

// ---- SID records (indexed by SID; 16-byte aligned) ----
export const SID_REC_SIZE: u32 = 304;
export const SID_USER: u32 = 0;
export const SID_ROLE: u32 = 4;
export const SID_TYPE: u32 = 8;
export const SID_STATE: u32 = 12;
export const SID_LOW: u32 = 16;
export const SID_HIGH: u32 = 160;
/** never issued (or an initial SID without a context): not a valid subject/object */
export const SID_STATE_NONE: u32 = 0;
/** context valid in the loaded policy */
export const SID_STATE_VALID: u32 = 1;
/** kept as a string after a reload: decided as the `unlabeled` initial SID (K sidtab_search) */
export const SID_STATE_INVALID: u32 = 2;
/** the initial SID the kernel substitutes for unknown/invalid contexts */
export const SECINITSID_UNLABELED: u32 = 3;
/** initial SIDs are 1..27; dynamic SIDs start at 28 (K SECINITSID_NUM) */
export const SECINITSID_NUM: u32 = 27;

/** SID-table blob shipped to workers: header, then records for SIDs 0..count-1 */
export const SIDTAB_MAGIC: u32 = 0x54535653; // 'SVST'
export const ST_MAGIC: u32 = 0;
export const ST_VERSION: u32 = 4;
/** number of records (highest SID + 1) */
export const ST_COUNT: u32 = 8;
export const ST_RECORD_SIZE: u32 = 12;
export const ST_HEADER_SIZE: u32 = 16;

// ---- decision out-struct (written by compute/has-perm-with-decision exports) ----
export const OUT_ALLOWED: u32 = 0;
export const OUT_AUDITALLOW: u32 = 4;
export const OUT_AUDITDENY: u32 = 8;
export const OUT_SEQNO: u32 = 12;
export const OUT_FLAGS: u32 = 16;
/** libsepol SEPOL_COMPUTEAV_* bits for the requested vector */
export const OUT_REASON: u32 = 20;
/** STATUS_* */
export const OUT_STATUS: u32 = 24;
/** has-perm-with-decision: 1 granted, 0 denied */
export const OUT_RESULT: u32 = 28;
export const OUT_SIZE: u32 = 32;

export const STATUS_OK: u32 = 0;
export const STATUS_BAD_SID: u32 = 1;
export const STATUS_BAD_CLASS: u32 = 2;
export const STATUS_NO_POLICY: u32 = 3;
export const STATUS_NO_UNLABELED: u32 = 4;
export const STATUS_BOUNDS_DEPTH: u32 = 5;
export const STATUS_ZERO_REQUEST: u32 = 6;

// ---- AVC hash (avcInit's `hash`): K avc_hash through v6.18, K av_hash (MurmurHash3 mix) from v6.19 ----
export const HASH_XOR: u32 = 0;
export const HASH_MURMUR: u32 = 1;

// ---- AVC node (kernel struct avc_node: key + av_decision + chain link), 32 bytes ----
// Nodes are 32 bytes and 32-byte aligned (the pool base is 64-byte aligned), so a node never
// straddles a cache line. The hit path reads the first 20 bytes: the key (ssid and tsid compared as
// one u64, tclass as a u16 like the kernel's `u16 tclass`), the flags, the chain link and allowed.
// Flags are kept as u16: the only AVD flag is AVD_FLAGS_PERMISSIVE (K include/security.h).
export const NODE_SIZE: u32 = 32;
export const NODE_SSID: u32 = 0;
export const NODE_TSID: u32 = 4;
/** u16 */
export const NODE_TCLASS: u32 = 8;
/** u16 */
export const NODE_FLAGS: u32 = 10;
/** linear-memory address of the next node in the bucket (or in the free list), 0 = end */
export const NODE_NEXT: u32 = 12;
export const NODE_ALLOWED: u32 = 16;
export const NODE_SEQNO: u32 = 20;
export const NODE_AUDITALLOW: u32 = 24;
export const NODE_AUDITDENY: u32 = 28;

// ---- decision flags and reasons (K include/security.h, S services.h) ----
export const AVD_FLAGS_PERMISSIVE: u32 = 1;
export const REASON_TE: u32 = 1;
export const REASON_CONS: u32 = 2;
export const REASON_RBAC: u32 = 4;
export const REASON_BOUNDS: u32 = 8;

/** kernel POLICYDB_BOUNDS_MAXDEPTH is 4; deeper chains are refused at image build time */
export const BOUNDS_MAX_DEPTH: u32 = 4;
/** constraint stack depth (S CEXPR_MAXDEPTH) */
export const CEXPR_MAXDEPTH: u32 = 5;

// ---- new-object labels (assembly/transition.ts; K ss/services.c security_compute_sid) ----
/** LABEL_REC: key (kind << 16 | a, b << 16 | class), value, cond ref (AV_UNCONDITIONAL or node << 1 | branch); key hi 0 = empty slot */
export const LABEL_REC_SIZE: u32 = 16;
export const LABEL_KEY_HI: u32 = 0;
export const LABEL_KEY_LO: u32 = 4;
/** new type, new role, or RANGE_REC index */
export const LABEL_VALUE: u32 = 8;
export const LABEL_COND: u32 = 12;
/** rule kinds; the first three are also the `kind` argument of labelCompute (create, member, relabel) */
export const LRULE_TYPE_TRANSITION: u32 = 0;
export const LRULE_TYPE_MEMBER: u32 = 1;
export const LRULE_TYPE_CHANGE: u32 = 2;
/** key (role, type, class) → role */
export const LRULE_ROLE_TRANSITION: u32 = 3;
/** key (source type, target type, class) → RANGE_REC index */
export const LRULE_RANGE_TRANSITION: u32 = 4;
export const RANGE_REC_SIZE: u32 = 288;
export const RANGE_LOW: u32 = 0;
export const RANGE_HIGH: u32 = 144;
/** CLASS_LABEL fields: 2-bit CDEF_NONE/SOURCE/TARGET at the user, role, type shifts; 4-bit DRANGE_* at the range shift */
export const CDEF_USER_SHIFT: u32 = 0;
export const CDEF_ROLE_SHIFT: u32 = 2;
export const CDEF_TYPE_SHIFT: u32 = 4;
export const CDEF_RANGE_SHIFT: u32 = 8;
export const CDEF_NONE: u32 = 0;
export const CDEF_SOURCE: u32 = 1;
export const CDEF_TARGET: u32 = 2;
/** the kernel treats the class as a socket (K security_is_socket_class) */
export const CDEF_SOCKET: u32 = 0x10000;
/** the class has role_transition / range_transition rules (a class without skips the lookup) */
export const CDEF_HAS_ROLE_TR: u32 = 0x20000;
export const CDEF_HAS_RANGE_TR: u32 = 0x40000;
/** default_range values (K DEFAULT_SOURCE_LOW .. DEFAULT_GLBLUB order) */
export const DRANGE_NONE: u32 = 0;
export const DRANGE_SOURCE_LOW: u32 = 1;
export const DRANGE_SOURCE_HIGH: u32 = 2;
export const DRANGE_SOURCE_LOW_HIGH: u32 = 3;
export const DRANGE_TARGET_LOW: u32 = 4;
export const DRANGE_TARGET_HIGH: u32 = 5;
export const DRANGE_TARGET_LOW_HIGH: u32 = 6;
export const DRANGE_GLBLUB: u32 = 7;
/** labelCompute flags: libsepol's flavour (no socket case; conformance only) */
export const LFLAG_LIBSEPOL: u32 = 1;
/**
 * labelCompute results: 1..LBL_FIRST_CODE-1 is the new context's SID (valid, found in the result
 * index); LBL_MISS: the context is in the result record (SID_REC layout at labelOutAddr) and TS
 * must check and intern it (labelCacheInsert with its SID when valid); the rest are refusals.
 */
export const LBL_MISS: u32 = 0;
/**
 * an indexed invalid context: LBL_INVALID_FLAG | its number (SIDs stay below 2^22, so the two
 * never meet); the number stays tied to its context until labelGeneration changes. The result
 * record holds the context too.
 */
export const LBL_INVALID_FLAG: u32 = 0x40000000;
export const LBL_FIRST_CODE: u32 = 0xfffffff0;
/** no context could be formed: default_range glblub over ranges with no common sensitivity */
export const LBL_GLBLUB: u32 = 0xfffffff0;
export const LBL_BAD_SSID: u32 = 0xfffffff1;
export const LBL_BAD_TSID: u32 = 0xfffffff2;
export const LBL_BAD_CLASS: u32 = 0xfffffff3;
export const LBL_NO_POLICY: u32 = 0xfffffff4;
/** kind > 2 or a file-name type outside 1..ntypes */
export const LBL_BAD_ARG: u32 = 0xfffffff5;
/**
 * result index (computed context → SID, as K sidtab_context_to_sid's hash): open-addressing
 * slots {hash, ref, user, role, type, low level id, high level id} (ref 0 = empty) over interned
 * levels (assembly/levels.ts), doubling when half full, so bounded by the SID table. A ref is a
 * SID, or LBL_INVALID_FLAG | n for the n-th invalid context indexed (invalid contexts have no SID).
 */
export const LC_SLOT_SIZE: u32 = 32;
export const LC_SLOT_HASH: u32 = 0;
export const LC_SLOT_SID: u32 = 4;
export const LC_SLOT_USER: u32 = 8;
export const LC_SLOT_ROLE: u32 = 12;
export const LC_SLOT_TYPE: u32 = 16;
export const LC_SLOT_LOW: u32 = 20;
export const LC_SLOT_HIGH: u32 = 24;
/** interned levels (assembly/levels.ts): first table size, and the most kept (beyond it, results are computed but not indexed) */
export const LV_INITIAL: u32 = 1024;
export const LV_MAX: u32 = 262144;
export const LC_INITIAL_SLOTS: u32 = 4096;
/** invalid contexts (no SID) indexed at most; beyond it they are computed but not indexed */
export const LC_INVALID_MAX: u32 = 65536;
