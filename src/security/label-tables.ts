/**
 * Lookup tables for new-object labels, built once per policy from its label rules
 * (src/policy/label-rules.ts): exact-key maps, as the kernel's avtab (type rules), role_tr,
 * range_tr and filename_trans hash tables are keyed (K security/selinux/ss/policydb.h).
 *
 * Keys (a, b, class): a row per `a` (source type or role), then `b * 2^16 + class` in that row's
 * map — types, roles and classes are u16 in the binary policy, and for policies with fewer than
 * 2^14 types the inner key is a small integer, which a Map hashes fastest.
 */
import { buildSymbolIndex, type MlsRange, type PolicyModel } from '../policy/model.js';
import { labelRulesOf, type TypeRuleKind } from '../policy/label-rules.js';

export interface CondTypeRule {
  readonly node: number;
  readonly branch: boolean;
  readonly result: number;
}

/** (a, b, class) → V; the first value set for a key stays. */
export class KeyTable<V> {
  /** dense (filled with undefined up front): a sparse JS array would fall back to slow dictionary elements */
  private readonly rows: Array<Map<number, V> | undefined>;
  private count = 0;

  /** `rowsHint`: one more than the largest `a` expected (more are still accepted) */
  constructor(rowsHint = 0) {
    this.rows = new Array<Map<number, V> | undefined>(rowsHint).fill(undefined);
  }

  get(a: number, b: number, tclass: number): V | undefined {
    return this.rows[a]?.get(b * 65536 + tclass);
  }

  setOnce(a: number, b: number, tclass: number, value: V): void {
    while (this.rows.length <= a) this.rows.push(undefined);
    let row = this.rows[a];
    if (!row) this.rows[a] = row = new Map();
    const k = b * 65536 + tclass;
    if (!row.has(k)) {
      row.set(k, value);
      this.count++;
    }
  }

  get size(): number {
    return this.count;
  }

  /** Every (a, b, class, value), rows in ascending `a`, each row in insertion order. */
  *entries(): IterableIterator<[number, number, number, V]> {
    for (let a = 0; a < this.rows.length; a++) {
      const row = this.rows[a];
      if (row) for (const [k, v] of row) yield [a, Math.floor(k / 65536), k % 65536, v];
    }
  }
}

export interface LabelTables {
  /** unconditional type rules: kind → (stype, ttype, class) → new type */
  readonly typeRules: Readonly<Record<TypeRuleKind, KeyTable<number>>>;
  /** conditional type rules: kind → (stype, ttype, class) → candidates in policy order */
  readonly condTypeRules: Readonly<Record<TypeRuleKind, KeyTable<CondTypeRule[]>>>;
  /** file-name type_transition: `stype ttype class name` → new type */
  readonly filenameRules: Map<string, number>;
  /** role_transition: (role, type, class) → new role */
  readonly roleRules: KeyTable<number>;
  /** range_transition: (stype, ttype, class) → range */
  readonly rangeRules: KeyTable<MlsRange>;
  /** 1 at class value v when the kernel treats class v as a socket (K security_is_socket_class) */
  readonly socketClass: Uint8Array;
  /** value of class `process`, 0 when the policy has none (K policydb->process_class) */
  readonly processClass: number;
}

export function filenameKey(stype: number, ttype: number, tclass: number, name: string): string {
  return `${stype} ${ttype} ${tclass} ${name}`;
}

/**
 * The kernel's socket classes (K security/selinux/include/classmap.h: every class of secclass_map
 * whose name ends in "socket"; K security/selinux/ss/services.c security_is_socket_class). A policy
 * class maps to a kernel class by name (K selinux_set_mapping); a policy class not in this list
 * (e.g. refpolicy's obsolete_netlink_firewall_socket) has no kernel class and is not a socket.
 */
export const KERNEL_SOCKET_CLASSES: ReadonlySet<string> = new Set([
  'socket', 'tcp_socket', 'udp_socket', 'rawip_socket', 'netlink_socket', 'packet_socket', 'key_socket',
  'unix_stream_socket', 'unix_dgram_socket', 'netlink_route_socket', 'netlink_tcpdiag_socket',
  'netlink_nflog_socket', 'netlink_xfrm_socket', 'netlink_selinux_socket', 'netlink_iscsi_socket',
  'netlink_audit_socket', 'netlink_fib_lookup_socket', 'netlink_connector_socket', 'netlink_netfilter_socket',
  'netlink_dnrt_socket', 'netlink_kobject_uevent_socket', 'netlink_generic_socket',
  'netlink_scsitransport_socket', 'netlink_rdma_socket', 'netlink_crypto_socket', 'appletalk_socket',
  'dccp_socket', 'tun_socket', 'sctp_socket', 'icmp_socket', 'ax25_socket', 'ipx_socket', 'netrom_socket',
  'atmpvc_socket', 'x25_socket', 'rose_socket', 'decnet_socket', 'atmsvc_socket', 'rds_socket', 'irda_socket',
  'pppox_socket', 'llc_socket', 'can_socket', 'tipc_socket', 'bluetooth_socket', 'iucv_socket', 'rxrpc_socket',
  'isdn_socket', 'phonet_socket', 'ieee802154_socket', 'caif_socket', 'alg_socket', 'nfc_socket',
  'vsock_socket', 'kcm_socket', 'qipcrtr_socket', 'smc_socket', 'xdp_socket', 'mctp_socket',
]);

const cache = new WeakMap<PolicyModel, LabelTables>();

/** The tables of `model` (built on first use, then cached for the model's lifetime). */
export function labelTables(model: PolicyModel): LabelTables {
  let t = cache.get(model);
  if (!t) {
    t = buildLabelTables(model);
    cache.set(model, t);
  }
  return t;
}

/**
 * Build the tables. For a key written twice the first rule wins (a compiled policy holds one
 * entry per key; checkpolicy refuses two different results for one key).
 */
export function buildLabelTables(model: PolicyModel): LabelTables {
  const index = buildSymbolIndex(model);
  const nt = model.types.length + 1;
  const typeRules = { type_transition: new KeyTable<number>(nt), type_member: new KeyTable<number>(nt), type_change: new KeyTable<number>(nt) };
  const condTypeRules = {
    type_transition: new KeyTable<CondTypeRule[]>(nt),
    type_member: new KeyTable<CondTypeRule[]>(nt),
    type_change: new KeyTable<CondTypeRule[]>(nt),
  };
  const filenameRules = new Map<string, number>();
  const roleRules = new KeyTable<number>(model.roles.length + 1);
  const rangeRules = new KeyTable<MlsRange>(nt);
  for (const r of labelRulesOf(model, index)) {
    switch (r.kind) {
      case 'type_transition':
      case 'type_member':
      case 'type_change':
        for (const s of r.sources) {
          const targets = r.self ? [...r.targets, s] : r.targets;
          for (const t of targets) {
            for (const c of r.classes) {
              if (r.filename !== undefined) {
                const key = filenameKey(s, t, c, r.filename);
                if (!filenameRules.has(key)) filenameRules.set(key, r.result);
              } else if (r.cond) {
                const list = condTypeRules[r.kind].get(s, t, c);
                const entry = { node: r.cond.node, branch: r.cond.branch, result: r.result };
                if (list) list.push(entry);
                else condTypeRules[r.kind].setOnce(s, t, c, [entry]);
              } else typeRules[r.kind].setOnce(s, t, c, r.result);
            }
          }
        }
        break;
      case 'role_transition':
        for (const role of r.roles) for (const t of r.types) for (const c of r.classes) roleRules.setOnce(role, t, c, r.result);
        break;
      case 'range_transition':
        for (const s of r.sources) for (const t of r.targets) for (const c of r.classes) rangeRules.setOnce(s, t, c, r.range);
        break;
    }
  }
  const socketClass = new Uint8Array(model.classes.length + 1);
  for (const c of model.classes) if (KERNEL_SOCKET_CLASSES.has(c.name)) socketClass[c.value] = 1;
  const processClass = index.classes.get('process')?.value ?? 0;
  return { typeRules, condTypeRules, filenameRules, roleRules, rangeRules, socketClass, processClass };
}
