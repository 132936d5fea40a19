/**
 * Byte layout shared with the Wasm core: the TS mirror of assembly/layout.ts (same names, same
 * values, same comments). test/wasm/layout-agreement.test.ts compares every constant with the
 * global the Wasm module exports, so the two sides cannot drift apart silently.
 * All integers are little-endian u32 unless noted; every offset is in bytes.
 */

// ---- policy image header (offsets from the image start) ----
/** 'SVIM' little-endian */
export const IMG_MAGIC = 0x4d495653;
export const IMG_VERSION = 4;
export const H_MAGIC = 0;
export const H_VERSION = 4;
/** policy seqno the image was built under (K latest_granting) */
export const H_SEQNO = 8;
/** total image size in bytes */
export const H_SIZE = 12;
/** bit 0: MLS enabled */
export const H_FLAGS = 16;
/** HU_DENY / HU_ALLOW / HU_REJECT */
export const H_HANDLE_UNKNOWN = 20;
export const H_NTYPES = 24;
export const H_NCLASSES = 28;
export const H_NROLES = 32;
export const H_NUSERS = 36;
export const H_NCONDS = 40;
/** class value of `process`, 0 when the policy has none */
export const H_PROCESS_CLASS = 44;
/** perm bits of process:transition | process:dyntransition (S process_trans_dyntrans) */
export const H_PROCESS_TRANS = 48;
/** image seal: FNV-1a checksum stamped and verified by the TS side (src/wasm/engine.ts); 0 = unsealed; the core ignores it */
export const H_SEAL = 52;
/** u32 words per role bitset (dominates, role allow) */
export const H_ROLE_WORDS = 56;
export const H_NSECTIONS = 60;
/** section table: NSECTIONS x {offset u32, size u32}, offsets from the image start */
export const H_SECTIONS = 64;
export const SECTION_ENTRY_SIZE = 8;

export const HU_DENY = 0;
export const HU_ALLOW = 1;
export const HU_REJECT = 2;
export const IMG_FLAG_MLS = 1;
/** the policy's label rules could not be read: labelCompute refuses every query (LBL_NO_POLICY) */
export const IMG_FLAG_NO_LABELS = 2;

// ---- section ids ----
/** ntypes x TYPE_REC, indexed by type value - 1 */
export const SEC_TYPES = 0;
/** u32 values: each type's type_attr_map list (the type itself + its attributes, sorted) */
export const SEC_TYPE_ATTR = 1;
/** nclasses x CLASS_REC, indexed by class value - 1 */
export const SEC_CLASSES = 2;
/** CONS_REC records, grouped per class in policy order */
export const SEC_CONSTRAINTS = 3;
/** CEXPR_REC records (postfix), grouped per constraint */
export const SEC_CEXPR = 4;
/** u32 words: NAMES bitsets (bit value - 1) */
export const SEC_NAMES = 5;
/** nroles x ROLE_WORDS words: role r's `dominates` bitset (bit value - 1) */
export const SEC_ROLE_DOM = 6;
/** nroles x ROLE_WORDS words: targets of `allow r1 r2;` (bit value - 1) */
export const SEC_ROLE_ALLOW = 7;
/**
 * AV_REC records (unconditional and conditional), sorted by (class, source key, target key, cond).
 * A record's key is not stored in it: the class and source come from its group (SEC_AV_CLASSMAP,
 * SEC_AV_GROUPS), the target from SEC_AV_TARGETS.
 */
export const SEC_AVTAB = 8;
/** nconds x u32: COND_* state per cond node; rewritten by TS on boolean changes */
export const SEC_COND_STATE = 9;
/**
 * AV index, class-major: per class value c (1..NCLASSES) a block of AVIDX_WORDS(ntypes) word pairs
 * {bits, rank}. Bit b of pair k: source key 32k+b+1 has >= 1 AV record for class c; rank = index
 * in SEC_AV_GROUPS of the first set bit of the pair (groups are in (class, source) order).
 * AVIDX_WORDS(n) = (n + 31) >>> 5.
 */
export const SEC_AV_CLASSMAP = 10;
/** AV_GROUP records, one per (class, source key) with records: its run of AV_RECs */
export const SEC_AV_GROUPS = 11;
/** u16 per AV_REC: its target key (ascending within a group), padded to 4 bytes */
export const SEC_AV_TARGETS = 12;
/**
 * New-object label rules (assembly/transition.ts): LABEL_REC open-addressing hash table with a
 * power-of-two number of slots (at least one empty), keyed (LRULE_* kind, a, b, class), linear
 * probing from labelRuleHash(key). Per key: the unconditional record first, then the conditional
 * ones in policy order (the probe meets them in insertion order).
 */
export const SEC_LABEL_RULES = 13;
/** RANGE_REC records: the ranges of range_transition rules (LABEL_VALUE of an LRULE_RANGE_TRANSITION record indexes them) */
export const SEC_LABEL_RANGES = 14;
export const NSECTIONS = 15;

// ---- records ----
export const TYPE_REC_SIZE = 16;
/** byte offset (from image start) of the type_attr_map list */
export const TYPE_ATTR_OFF = 0;
export const TYPE_ATTR_COUNT = 4;
/** bounding type value, 0 when none */
export const TYPE_BOUNDS = 8;
/** 1 when `permissive TYPE;` */
export const TYPE_PERMISSIVE = 12;

export const CLASS_REC_SIZE = 16;
export const CLASS_NPERMS = 0;
/** index of the first CONS_REC of the class */
export const CLASS_CONS_FIRST = 4;
export const CLASS_CONS_COUNT = 8;
/** new-object label defaults: CDEF_* fields (default_user/role/type/range, kernel socket class) */
export const CLASS_LABEL = 12;

export const CONS_REC_SIZE = 16;
export const CONS_PERMS = 0;
/** index of the first CEXPR_REC */
export const CONS_EXPR_FIRST = 4;
export const CONS_EXPR_COUNT = 8;

export const CEXPR_REC_SIZE = 24;
export const CEXPR_TYPE = 0;
export const CEXPR_ATTR = 4;
export const CEXPR_OP = 8;
/** NAMES: byte offset (from image start) of the bitset */
export const CEXPR_NAMES_OFF = 12;
/** NAMES: number of u32 words in the bitset */
export const CEXPR_NAMES_WORDS = 16;

export const AV_REC_SIZE = 16;
export const AV_ALLOWED = 0;
export const AV_AUDITALLOW = 4;
/** bits whose denial is audited (all ones = no dontaudit) */
export const AV_AUDITDENY = 8;
/** AV_UNCONDITIONAL, or (cond node index << 1) | branch (1 = true list, 0 = false list) */
export const AV_COND = 12;
export const AV_UNCONDITIONAL = 0xffffffff;
/** SEC_AV_GROUPS record: one (class, source key) run of AV_RECs */
export const AV_GROUP_SIZE = 8;
/** index of the group's first AV_REC */
export const AV_GROUP_FIRST = 0;
/** number of AV_RECs in the group (>= 1) */
export const AV_GROUP_COUNT = 4;

/** cond node states in SEC_COND_STATE */
export const COND_FALSE = 0;
export const COND_TRUE = 1;
/** malformed expression: neither list is enabled (S cond_evaluate_expr returns -1) */
export const COND_NONE = 2;

// ---- category sets and levels ----
/** 1024-bit set = 16 x u64 = 8 x v128; bit i = category value i + 1 */
export const CATS_SIZE = 128;
export const LEVEL_SIZE = 144;
/** sensitivity value (1-based; 0 in non-MLS policies) */
export const LEVEL_SENS = 0;
/** 16-byte aligned category set */
export const LEVEL_CATS = 16;

// ---- SID records (indexed by SID; 16-byte aligned) ----
export const SID_REC_SIZE = 304;
export const SID_USER = 0;
export const SID_ROLE = 4;
export const SID_TYPE = 8;
export const SID_STATE = 12;
export const SID_LOW = 16;
export const SID_HIGH = 160;
/** never issued (or an initial SID without a context): not a valid subject/object */
export const SID_STATE_NONE = 0;
/** context valid in the loaded policy */
export const SID_STATE_VALID = 1;
/** kept as a string after a reload: decided as the `unlabeled` initial SID (K sidtab_search) */
export const SID_STATE_INVALID = 2;
/** the initial SID the kernel substitutes for unknown/invalid contexts */
export const SECINITSID_UNLABELED = 3;
/** initial SIDs are 1..27; dynamic SIDs start at 28 (K SECINITSID_NUM) */
export const SECINITSID_NUM = 27;

/** SID-table blob shipped to workers: header, then records for SIDs 0..count-1 */
export const SIDTAB_MAGIC = 0x54535653; // 'SVST'
export const ST_MAGIC = 0;
export const ST_VERSION = 4;
/** number of records (highest SID + 1) */
export const ST_COUNT = 8;
export const ST_RECORD_SIZE = 12;
export const ST_HEADER_SIZE = 16;

// ---- decision out-struct (written by compute/has-perm-with-decision exports) ----
export const OUT_ALLOWED = 0;
export const OUT_AUDITALLOW = 4;
export const OUT_AUDITDENY = 8;
export const OUT_SEQNO = 12;
export const OUT_FLAGS = 16;
/** libsepol SEPOL_COMPUTEAV_* bits for the requested vector */
export const OUT_REASON = 20;
/** STATUS_* */
export const OUT_STATUS = 24;
/** has-perm-with-decision: 1 granted, 0 denied */
export const OUT_RESULT = 28;
export const OUT_SIZE = 32;

export const STATUS_OK = 0;
export const STATUS_BAD_SID = 1;
export const STATUS_BAD_CLASS = 2;
export const STATUS_NO_POLICY = 3;
export const STATUS_NO_UNLABELED = 4;
export const STATUS_BOUNDS_DEPTH = 5;
export const STATUS_ZERO_REQUEST = 6;

// ---- AVC hash (avcInit's `hash`): K avc_hash through v6.18, K av_hash (MurmurHash3 mix) from v6.19 ----
export const HASH_XOR = 0;
export const HASH_MURMUR = 1;

// ---- AVC node (kernel struct avc_node: key + av_decision + chain link), 32 bytes ----
// Nodes are 32 bytes and 32-byte aligned (the pool base is 64-byte aligned), so a node never
// straddles a cache line. The hit path reads the first 20 bytes: the key (ssid and tsid compared as
// one u64, tclass as a u16 like the kernel's `u16 tclass`), the flags, the chain link and allowed.
// Flags are kept as u16: the only AVD flag is AVD_FLAGS_PERMISSIVE (K include/security.h).
export const NODE_SIZE = 32;
export const NODE_SSID = 0;
export const NODE_TSID = 4;
/** u16 */
export const NODE_TCLASS = 8;
/** u16 */
export const NODE_FLAGS = 10;
/** linear-memory address of the next node in the bucket (or in the free list), 0 = end */
export const NODE_NEXT = 12;
export const NODE_ALLOWED = 16;
export const NODE_SEQNO = 20;
export const NODE_AUDITALLOW = 24;
export const NODE_AUDITDENY = 28;

// ---- decision flags and reasons (K include/security.h, S services.h) ----
export const AVD_FLAGS_PERMISSIVE = 1;
export const REASON_TE = 1;
export const REASON_CONS = 2;
export const REASON_RBAC = 4;
export const REASON_BOUNDS = 8;

/** kernel POLICYDB_BOUNDS_MAXDEPTH is 4; deeper chains are refused at image build time */
export const BOUNDS_MAX_DEPTH = 4;
/** constraint stack depth (S CEXPR_MAXDEPTH) */
export const CEXPR_MAXDEPTH = 5;

// ---- new-object labels (assembly/transition.ts; K ss/services.c security_compute_sid) ----
/** LABEL_REC: key (kind << 16 | a, b << 16 | class), value, cond ref (AV_UNCONDITIONAL or node << 1 | branch); key hi 0 = empty slot */
export const LABEL_REC_SIZE = 16;
export const LABEL_KEY_HI = 0;
export const LABEL_KEY_LO = 4;
/** new type, new role, or RANGE_REC index */
export const LABEL_VALUE = 8;
export const LABEL_COND = 12;
/** rule kinds; the first three are also the `kind` argument of labelCompute (create, member, relabel) */
export const LRULE_TYPE_TRANSITION = 0;
export const LRULE_TYPE_MEMBER = 1;
export const LRULE_TYPE_CHANGE = 2;
/** key (role, type, class) → role */
export const LRULE_ROLE_TRANSITION = 3;
/** key (source type, target type, class) → RANGE_REC index */
export const LRULE_RANGE_TRANSITION = 4;
export const RANGE_REC_SIZE = 288;
export const RANGE_LOW = 0;
export const RANGE_HIGH = 144;
/** CLASS_LABEL fields: 2-bit CDEF_NONE/SOURCE/TARGET at the user, role, type shifts; 4-bit DRANGE_* at the range shift */
export const CDEF_USER_SHIFT = 0;
export const CDEF_ROLE_SHIFT = 2;
export const CDEF_TYPE_SHIFT = 4;
export const CDEF_RANGE_SHIFT = 8;
export const CDEF_NONE = 0;
export const CDEF_SOURCE = 1;
export const CDEF_TARGET = 2;
/** the kernel treats the class as a socket (K security_is_socket_class) */
export const CDEF_SOCKET = 0x10000;
/** the class has role_transition / range_transition rules (a class without skips the lookup) */
export const CDEF_HAS_ROLE_TR = 0x20000;
export const CDEF_HAS_RANGE_TR = 0x40000;
/** default_range values (K DEFAULT_SOURCE_LOW .. DEFAULT_GLBLUB order) */
export const DRANGE_NONE = 0;
export const DRANGE_SOURCE_LOW = 1;
export const DRANGE_SOURCE_HIGH = 2;
export const DRANGE_SOURCE_LOW_HIGH = 3;
export const DRANGE_TARGET_LOW = 4;
export const DRANGE_TARGET_HIGH = 5;
export const DRANGE_TARGET_LOW_HIGH = 6;
export const DRANGE_GLBLUB = 7;
/** labelCompute flags: libsepol's flavour (no socket case; conformance only) */
export const LFLAG_LIBSEPOL = 1;
/**
 * labelCompute results: 1..LBL_FIRST_CODE-1 is the new context's SID (valid, found in the result
 * index); LBL_MISS: the context is in the result record (SID_REC layout at labelOutAddr) and TS
 * must check and intern it (labelCacheInsert with its SID when valid); the rest are refusals.
 */
export const LBL_MISS = 0;
/**
 * an indexed invalid context: LBL_INVALID_FLAG | its number (SIDs stay below 2^22, so the two
 * never meet); the number stays tied to its context until labelGeneration changes. The result
 * record holds the context too.
 */
export const LBL_INVALID_FLAG = 0x40000000;
export const LBL_FIRST_CODE = 0xfffffff0;
/** no context could be formed: default_range glblub over ranges with no common sensitivity */
export const LBL_GLBLUB = 0xfffffff0;
export const LBL_BAD_SSID = 0xfffffff1;
export const LBL_BAD_TSID = 0xfffffff2;
export const LBL_BAD_CLASS = 0xfffffff3;
export const LBL_NO_POLICY = 0xfffffff4;
/** kind > 2 or a file-name type outside 1..ntypes */
export const LBL_BAD_ARG = 0xfffffff5;
/**
 * result index (computed context → SID, as K sidtab_context_to_sid's hash): open-addressing
 * slots {hash, ref, user, role, type, low level id, high level id} (ref 0 = empty) over interned
 * levels (assembly/levels.ts), doubling when half full, so bounded by the SID table. A ref is a
 * SID, or LBL_INVALID_FLAG | n for the n-th invalid context indexed (invalid contexts have no SID).
 */
export const LC_SLOT_SIZE = 32;
export const LC_SLOT_HASH = 0;
export const LC_SLOT_SID = 4;
export const LC_SLOT_USER = 8;
export const LC_SLOT_ROLE = 12;
export const LC_SLOT_TYPE = 16;
export const LC_SLOT_LOW = 20;
export const LC_SLOT_HIGH = 24;
/** interned levels (assembly/levels.ts): first table size, and the most kept (beyond it, results are computed but not indexed) */
export const LV_INITIAL = 1024;
export const LV_MAX = 262144;
export const LC_INITIAL_SLOTS = 4096;
/** invalid contexts (no SID) indexed at most; beyond it they are computed but not indexed */
export const LC_INVALID_MAX = 65536;
