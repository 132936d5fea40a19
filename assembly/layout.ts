// Byte layout of everything the TS side and the Wasm core share: the policy image, SID records,
// category sets, the out-struct and the AVC node. Mirrored once in src/wasm/layout.ts; the test
// test/wasm/layout-agreement.test.ts reads these exported globals and compares them one by one.
// All integers are little-endian u32 unless noted; every offset is in bytes.

// ---- policy image header (offsets from the image start) ----
/** 'SVIM' little-endian */
export const IMG_MAGIC: u32 = 0x4d495653;
export const IMG_VERSION: u32 = 3;
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
export const NSECTIONS: u32 = 13;

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
