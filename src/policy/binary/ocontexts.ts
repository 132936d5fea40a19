/**
 * Object contexts and genfs (S policydb.c:ocontext_read_selinux, genfs_read).
 *
 * For each of the 7 (v<31) or 9 (v>=31) kinds: `[n]` + records, every record ending in a context:
 *   0 ISID      {sid} ctx                         → model.initialSids (name from the refpolicy order)
 *   1 FS        {len} name, ctx, ctx              → fscon [name, fs ctx, file ctx]
 *   2 PORT      {protocol, low, high} ctx         → portcon [tcp|udp|dccp|sctp|<n>, port or low-high, ctx]
 *   3 NETIF     {len} name, ctx, ctx              → netifcon [name, if ctx, packet ctx]
 *   4 NODE      {addr, mask} (network order) ctx  → nodecon [addr, mask, ctx]
 *   5 FSUSE     {behavior, len} name ctx          → fs_use_xattr|trans|task [name, ctx]
 *   6 NODE6     {addr[4], mask[4]} ctx            → nodecon [addr, mask, ctx]
 *   7 IBPKEY    {subnet_prefix u64 (network order), low, high} ctx → ibpkeycon [prefix, pkey(s), ctx]
 *   8 IBENDPORT {len, port} name ctx              → ibendportcon [name, port, ctx]
 * genfs: `[nfs]` x ({len} fstype, `[n]` x ({len} path, {sclass}, ctx)) → genfscon [fs, path, ctx(, class)]
 *
 * Checks follow libsepol: initial SID numbers are non-zero and unique, names non-empty (FS/NETIF at
 * most 63 bytes), IB pkeys <= 0xffff and ports 1..255, genfs fstypes and (path, class) pairs unique,
 * and every context valid (ContextReader). Initial SIDs above 27 are kept in `other` as `sid` since
 * they have no refpolicy name.
 */
import type { InitialSid, OtherStatement } from '../model.js';
import { formatContextText, type ContextReader } from './context.js';
import type { Cursor } from './cursor.js';
import { FS_USE_KINDS, INITIAL_SID_NAMES, oconNum } from './names.js';
import type { SymbolTables } from './symbols.js';

/** IP protocol numbers as checkpolicy names them (IPPROTO_TCP 6, UDP 17, DCCP 33, SCTP 132). */
const PROTOCOLS: Record<number, string> = { 6: 'tcp', 17: 'udp', 33: 'dccp', 132: 'sctp' };

function name(c: Cursor, what: string, maxLen?: number): string {
  const at = c.pos;
  const len = c.u32();
  if (maxLen !== undefined && len > maxLen) c.fail(`${what}: name length ${len} exceeds ${maxLen}`, at);
  return c.str(len, what, at);
}

/** Four bytes in file order (network byte order) as dotted quad. */
function ipv4(c: Cursor): string {
  if (c.remaining < 4) c.u32();
  const b = c.bytes;
  const p = c.pos;
  c.pos += 4;
  return `${b[p]}.${b[p + 1]}.${b[p + 2]}.${b[p + 3]}`;
}

/** Sixteen bytes in network order as a compressed IPv6 address. */
function ipv6(c: Cursor): string {
  if (c.remaining < 16) c.skip(16);
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((c.bytes[c.pos + 2 * i]! << 8) | c.bytes[c.pos + 2 * i + 1]!);
  c.pos += 16;
  // longest run of zero groups (length >= 2) becomes "::"
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) (best = i), (bestLen = j - i);
    i = j;
  }
  const hexs = groups.map((g) => g.toString(16));
  if (best < 0) return hexs.join(':');
  return `${hexs.slice(0, best).join(':')}::${hexs.slice(best + bestLen).join(':')}`;
}

export interface OcontextResult {
  initialSids: InitialSid[];
}

export function readOcontexts(
  c: Cursor,
  version: number,
  syms: SymbolTables,
  ctxReader: ContextReader,
  other: OtherStatement[],
): OcontextResult {
  const initialSids: InitialSid[] = [];
  const ctxText = (what: string): string => formatContextText(syms, ctxReader.read(c, what));
  const seenSids = new Set<number>();
  const kinds = oconNum(version);
  for (let kind = 0; kind < kinds; kind++) {
    c.section = `ocontexts/${['isid', 'fs', 'port', 'netif', 'node', 'fsuse', 'node6', 'ibpkey', 'ibendport'][kind]}`;
    // smallest record: ISID = sid 4 + context (12 + range 20)
    const n = c.count(36, 'ocontext');
    for (let i = 0; i < n; i++) {
      const at = c.pos;
      switch (kind) {
        case 0: {
          const sid = c.u32();
          if (sid === 0) c.fail('initial SID number 0', at);
          const context = ctxReader.read(c, `initial SID ${sid}`);
          const sidName = INITIAL_SID_NAMES[sid - 1];
          // a SID given twice loads in libsepol 3.4 and the kernel, and the kernel keeps the later
          // context (K ss/policydb.c policydb_load_isids → sidtab_set_initial overwrites)
          if (seenSids.has(sid)) {
            const i = initialSids.findIndex((s) => s.sid === sid);
            if (i >= 0) initialSids.splice(i, 1);
            else other.splice(other.findIndex((o) => o.kind === 'sid' && o.args[0] === String(sid)), 1);
          }
          seenSids.add(sid);
          if (sidName !== undefined) initialSids.push({ name: sidName, sid, context });
          else other.push({ kind: 'sid', args: [String(sid), formatContextText(syms, context)] });
          break;
        }
        case 1:
        case 3: {
          const n1 = name(c, kind === 1 ? 'fscon' : 'netifcon', 63);
          const a = ctxText(`${kind === 1 ? 'fscon' : 'netifcon'} ${n1}`);
          const b = ctxText(`${kind === 1 ? 'fscon' : 'netifcon'} ${n1}`);
          other.push({ kind: kind === 1 ? 'fscon' : 'netifcon', args: [n1, a, b] });
          break;
        }
        case 2: {
          // stored as u8 protocol and u16 ports, unchecked (S policydb.c ocontext_read_selinux,
          // K ss/policydb.c ocontext_read): a range with low > high matches no port
          const proto = c.u32() & 0xff;
          const low = c.u32() & 0xffff;
          const high = c.u32() & 0xffff;
          const port = low === high ? String(low) : `${low}-${high}`;
          other.push({ kind: 'portcon', args: [PROTOCOLS[proto] ?? String(proto), port, ctxText(`portcon ${port}`)] });
          break;
        }
        case 4: {
          const addr = ipv4(c);
          const mask = ipv4(c);
          other.push({ kind: 'nodecon', args: [addr, mask, ctxText(`nodecon ${addr}`)] });
          break;
        }
        case 5: {
          const behavior = c.u32();
          // S policydb_validate.c validate_ocontexts: only xattr (1), trans (2) and task (3)
          const kw = behavior >= 1 && behavior <= 3 ? FS_USE_KINDS[behavior] : undefined;
          if (!kw) c.fail(`fs_use behaviour ${behavior} unknown (libsepol accepts 1..3)`, at);
          const fs = name(c, 'fs_use');
          other.push({ kind: kw, args: [fs, ctxText(`${kw} ${fs}`)] });
          break;
        }
        case 6: {
          const addr = ipv6(c);
          const mask = ipv6(c);
          other.push({ kind: 'nodecon', args: [addr, mask, ctxText(`nodecon ${addr}`)] });
          break;
        }
        case 7: {
          if (c.remaining < 16) c.skip(16);
          const prefix = Array.from(c.bytes.subarray(c.pos, c.pos + 8), (b) => b.toString(16).padStart(2, '0')).join('');
          c.pos += 8;
          const low = c.u32();
          const high = c.u32();
          // S ocontext_read_selinux refuses keys above 16 bits; low > high is accepted (matches nothing)
          if (low > 0xffff || high > 0xffff) c.fail(`ibpkeycon: bad pkey range ${low}-${high}`, at + 8);
          const pk = low === high ? `0x${low.toString(16)}` : `0x${low.toString(16)}-0x${high.toString(16)}`;
          other.push({ kind: 'ibpkeycon', args: [`0x${prefix}`, pk, ctxText(`ibpkeycon ${pk}`)] });
          break;
        }
        case 8: {
          const len = c.u32();
          const port = c.u32();
          // S policydb.c: 0 < len < IB_DEVICE_NAME_MAX (64), 0 < port <= 255
          if (len > 63) c.fail(`ibendportcon: device name length ${len} exceeds 63`, at);
          if (port === 0 || port > 255) c.fail(`ibendportcon: port ${port} out of range 1..255`, at + 4);
          const dev = c.str(len, 'ibendportcon', at);
          other.push({ kind: 'ibendportcon', args: [dev, String(port), ctxText(`ibendportcon ${dev}`)] });
          break;
        }
      }
    }
  }
  initialSids.sort((a, b) => a.sid - b.sid);
  return { initialSids };
}

export function readGenfs(c: Cursor, syms: SymbolTables, ctxReader: ContextReader, other: OtherStatement[]): void {
  c.section = 'genfs';
  const nfs = c.count(9, 'genfs filesystem');
  const seenFs = new Set<string>();
  for (let i = 0; i < nfs; i++) {
    const fsAt = c.pos;
    const fs = name(c, 'genfs fstype');
    if (seenFs.has(fs)) c.fail(`genfs: filesystem "${fs}" listed twice`, fsAt);
    seenFs.add(fs);
    const n = c.count(9 + 32, `genfs ${fs} entry`);
    const seen = new Map<string, number[]>();
    for (let j = 0; j < n; j++) {
      const at = c.pos;
      const path = name(c, `genfs ${fs} path`);
      const sclass = c.u32();
      // S genfs_read: the same path may repeat only with distinct, non-zero classes
      const classes = seen.get(path);
      if (classes && (sclass === 0 || classes.includes(0) || classes.includes(sclass))) {
        c.fail(`genfs: duplicate entry (${fs}, ${path})`, at);
      }
      if (classes) classes.push(sclass);
      else seen.set(path, [sclass]);
      const args = [fs, path, ctxText(c, syms, ctxReader, `genfscon ${fs} ${path}`)];
      // A class value beyond the classes is not checked by libsepol (S policydb_validate.c
      // validate_genfs) or the kernel (K ss/policydb.c genfs_read); such an entry can never match
      // (K services.c __security_genfs_sid compares it with a real class), so it is not kept.
      if (sclass > syms.classes.length) continue;
      if (sclass !== 0) args.push(syms.classes[sclass - 1]!.name);
      other.push({ kind: 'genfscon', args });
    }
  }
}

function ctxText(c: Cursor, syms: SymbolTables, reader: ContextReader, what: string): string {
  return formatContextText(syms, reader.read(c, what));
}
