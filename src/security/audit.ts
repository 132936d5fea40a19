/**
 * AVC audit: whether a check writes a record, and the record's text exactly as the kernel writes it.
 *
 * - auditRequired: K include/avc.h:avc_audit_required (docs/selinux-semantics.md).
 * - formatAvcRecord: K avc.c:avc_audit_pre_callback / avc_audit_post_callback and
 *   K security/lsm_audit.c:dump_common_audit_data, untrusted strings per
 *   K kernel/audit.c:audit_string_contains_control / audit_log_n_untrustedstring.
 */
import type { AccessDecision, AuditData } from '../types.js';

/** AVD_FLAGS_NEVERAUDIT (policy v35+): the source type is never audited. */
export const AVD_FLAGS_NEVERAUDIT = 0x2;

/**
 * Which permissions to audit for one check, or undefined when no record is written.
 * - flags & NEVERAUDIT → nothing;
 * - some requested bit not allowed → those bits ∩ auditdeny (dontaudit clears bits), verb `denied`;
 * - everything allowed but the check failed anyway (`result` 'denied') → all requested, `denied`;
 * - otherwise → requested ∩ auditallow, verb `granted`.
 */
export function auditRequired(
  avd: AccessDecision,
  requested: number,
  result: 'granted' | 'denied',
): { audited: number; denied: boolean } | undefined {
  if (avd.flags & AVD_FLAGS_NEVERAUDIT) return undefined;
  const req = requested >>> 0;
  const denied = (req & ~avd.allowed) >>> 0;
  let audited: number;
  if (denied !== 0) audited = (denied & avd.auditdeny) >>> 0;
  else if (result === 'denied') audited = req;
  else audited = (req & avd.auditallow) >>> 0;
  if (audited === 0) return undefined;
  return { audited, denied: denied !== 0 || result === 'denied' };
}

/**
 * True when the kernel would print `s` as hex: it contains `"`, a byte below 0x21 or above 0x7e
 * (bytes of the UTF-8 encoding; so any non-ASCII character counts).
 */
export function auditStringNeedsHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c < 0x21 || c > 0x7e) return true;
  }
  return false;
}

/** An untrusted string as the kernel logs it: `"text"`, or uppercase hex of its UTF-8 bytes. */
export function auditUntrustedString(s: string): string {
  if (!auditStringNeedsHex(s)) return `"${s}"`;
  let hex = '';
  for (const b of Buffer.from(s, 'utf8')) hex += b.toString(16).toUpperCase().padStart(2, '0');
  return hex;
}

export interface AvcRecordInput {
  readonly denied: boolean;
  /** permission names in ascending bit order (unnamed bits already as `0x…`) */
  readonly perms: readonly string[];
  readonly data?: AuditData;
  readonly scontext: string;
  readonly tcontext: string;
  readonly tclass: string;
  /** the request was allowed anyway (permissive mode or domain); printed only on denials */
  readonly permissive: boolean;
}

/**
 * The record text, e.g.
 * `avc:  denied  { read write } for  pid=4242 comm="qemu-kvm" path="/x" dev="dm-0" ino=131 scontext=… tcontext=… tclass=file permissive=0`.
 * An empty permission list prints ` null` and, as in the kernel, no ` } for `.
 */
export function formatAvcRecord(r: AvcRecordInput): string {
  let out = `avc:  ${r.denied ? 'denied' : 'granted'} `;
  if (r.perms.length === 0) out += ' null';
  else out += ` {${r.perms.map((p) => ` ${p}`).join('')} } for `;
  const d = r.data;
  if (d) {
    if (d.pid !== undefined) out += ` pid=${d.pid}`;
    if (d.comm !== undefined) out += ` comm=${auditUntrustedString(d.comm)}`;
    if (d.path !== undefined) out += ` path=${auditUntrustedString(d.path)}`;
    if (d.name !== undefined) out += ` name=${auditUntrustedString(d.name)}`;
    if (d.dev !== undefined) out += ` dev=${auditUntrustedString(d.dev)}`;
    if (d.ino !== undefined) out += ` ino=${d.ino}`;
  }
  out += ` scontext=${r.scontext} tcontext=${r.tcontext} tclass=${r.tclass}`;
  if (r.denied) out += ` permissive=${r.permissive ? 1 : 0}`;
  return out;
}
