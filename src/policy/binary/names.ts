/**
 * Fixed name and number tables of the binary policy format. Facts from:
 * - S include/sepol/policydb/policydb.h (magic, versions, config bits, default_* and fs_use values)
 * - S src/polcaps.c and K include/policycap_names.h (policy capability names, by bit number)
 * - R policy/flask/initial_sids and the CIL `sidorder` refpolicy uses (initial SID names, 1..27)
 */

export const POLICYDB_MAGIC = 0xf97cff8c;
export const POLICYDB_MOD_MAGIC = 0xf97cff8d;
export const POLICYDB_STRING = 'SE Linux';
export const POLICYDB_XEN_STRING = 'XenFlask';

export const POLICYDB_VERSION_BOUNDARY = 24;
export const POLICYDB_VERSION_FILENAME_TRANS = 25;
export const POLICYDB_VERSION_ROLETRANS = 26;
export const POLICYDB_VERSION_NEW_OBJECT_DEFAULTS = 27;
export const POLICYDB_VERSION_DEFAULT_TYPE = 28;
export const POLICYDB_VERSION_CONSTRAINT_NAMES = 29;
export const POLICYDB_VERSION_XPERMS_IOCTL = 30;
export const POLICYDB_VERSION_INFINIBAND = 31;
export const POLICYDB_VERSION_GLBLUB = 32;
export const POLICYDB_VERSION_COMP_FTRANS = 33;
export const POLICYDB_VERSION_COND_XPERMS = 34;
export const POLICYDB_VERSION_NEVERAUDIT = 35;

/**
 * Versions this reader accepts. 24 is libsepol's current minimum (S commit 3394f1af, older layouts of
 * the type record differ); 35 is the newest format (neveraudit).
 */
export const MIN_VERSION = POLICYDB_VERSION_BOUNDARY;
export const MAX_VERSION = POLICYDB_VERSION_NEVERAUDIT;

export const SYM_NUM = 8;
/** number of ocontext kinds: 7 (ISID..NODE6) before v31, 9 (+IBPKEY, IBENDPORT) from v31 */
export function oconNum(version: number): number {
  return version >= POLICYDB_VERSION_INFINIBAND ? 9 : 7;
}

export const POLICYDB_CONFIG_MLS = 1;
export const POLICYDB_CONFIG_UNKNOWN_MASK = 6;
export const DENY_UNKNOWN = 0;
export const REJECT_UNKNOWN = 2;
export const ALLOW_UNKNOWN = 4;

/** type record `properties` (S policydb.h TYPEDATUM_PROPERTY_*) */
export const TYPEDATUM_PROPERTY_PRIMARY = 1;
export const TYPEDATUM_PROPERTY_ATTRIBUTE = 2;

/** per-class permission limit (S PERM_SYMTAB_SIZE): a u32 access vector */
export const PERM_SYMTAB_SIZE = 32;

/** Policy capability names in bit order (S src/polcaps.c, K include/policycap_names.h). */
export const POLICY_CAPABILITIES: readonly string[] = [
  'network_peer_controls',
  'open_perms',
  'extended_socket_class',
  'always_check_network',
  'cgroup_seclabel',
  'nnp_nosuid_transition',
  'genfs_seclabel_symlinks',
  'ioctl_skip_cloexec',
  'userspace_initial_context',
  'netlink_xperm',
  'netif_wildcard',
  'genfs_seclabel_wildcard',
  'functionfs_seclabel',
  'memfd_class',
  'bpf_token_perms',
];

/** Initial SID names, index = SID number - 1 (refpolicy order; the binary stores only the number). */
export const INITIAL_SID_NAMES: readonly string[] = [
  'kernel',
  'security',
  'unlabeled',
  'fs',
  'file',
  'file_labels',
  'init',
  'any_socket',
  'port',
  'netif',
  'netmsg',
  'node',
  'igmp_packet',
  'icmp_socket',
  'tcp_socket',
  'sysctl_modprobe',
  'sysctl',
  'sysctl_fs',
  'sysctl_kernel',
  'sysctl_net',
  'sysctl_net_unix',
  'sysctl_vm',
  'sysctl_dev',
  'kmod',
  'policy',
  'scmp_packet',
  'devnull',
];

/** class default_user / default_role / default_type values (S policydb.h DEFAULT_SOURCE/TARGET) */
export const DEFAULT_SOURCE_TARGET: readonly (undefined | 'source' | 'target')[] = [undefined, 'source', 'target'];

/** class default_range values (S policydb.h DEFAULT_SOURCE_LOW .. DEFAULT_GLBLUB) */
export const DEFAULT_RANGE: readonly (string | undefined)[] = [
  undefined,
  'source low',
  'source high',
  'source low-high',
  'target low',
  'target high',
  'target low-high',
  'glblub',
];

/** fs_use behaviours (S policydb.h SECURITY_FS_USE_*) → statement keyword */
export const FS_USE_KINDS: readonly (string | undefined)[] = [
  undefined,
  'fs_use_xattr',
  'fs_use_trans',
  'fs_use_task',
  'fs_use_genfs',
  'fs_use_none',
];

/** avtab `specified` bits beyond the AV ones (S include/sepol/policydb/avtab.h) */
export const AVTAB_TRANSITION = 0x0010;
export const AVTAB_MEMBER = 0x0020;
export const AVTAB_CHANGE = 0x0040;
export const AVTAB_XPERMS_ALLOWED = 0x0100;
export const AVTAB_XPERMS_AUDITALLOW = 0x0200;
export const AVTAB_XPERMS_DONTAUDIT = 0x0400;
export const AVTAB_ENABLED = 0x8000;
export const AVTAB_XPERMS = AVTAB_XPERMS_ALLOWED | AVTAB_XPERMS_AUDITALLOW | AVTAB_XPERMS_DONTAUDIT;
export const AVTAB_TYPE = AVTAB_TRANSITION | AVTAB_MEMBER | AVTAB_CHANGE;

/** xperms datum kinds */
export const AVTAB_XPERMS_IOCTLFUNCTION = 1;
export const AVTAB_XPERMS_IOCTLDRIVER = 2;
export const AVTAB_XPERMS_NLMSG = 3;
