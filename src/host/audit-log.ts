/**
 * The simulated host's audit trail: every AVC record the security server emits while a host
 * operation runs, numbered and timestamped as auditd does, kept in the HostStore (its audit table,
 * shared by every process using the same state file) so `svirt host audit` shows earlier records.
 *
 * Line format (auditd's audit.log, as `ausearch -m avc --raw` prints it):
 * `type=AVC msg=audit(<sec>.<msec>:<serial>): avc:  denied  { read } for  pid=… …`
 */
import type { AuditRecord } from '../types.js';
import type { HostStore, StoredAuditRecord } from '../label/store.js';

/** AUDIT_AVC record type number (K include/uapi/linux/audit.h) */
export const AUDIT_AVC = 1400;

/** `type=AVC msg=audit(SEC.MSEC:SERIAL): ` + text */
export function formatAuditLine(r: StoredAuditRecord): string {
  const sec = Math.floor(r.time / 1000);
  const msec = String(r.time % 1000).padStart(3, '0');
  return `type=AVC msg=audit(${sec}.${msec}:${r.serial}): ${r.text}`;
}

export class AuditLog {
  constructor(
    private readonly store: HostStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** append one record; returns the stored line (with serial and time) */
  append(record: AuditRecord): StoredAuditRecord {
    return this.store.appendAudit(record.text, this.clock());
  }

  /** stored records with serial > afterSerial */
  list(afterSerial = 0): StoredAuditRecord[] {
    return this.store.listAudit(afterSerial);
  }

  lines(afterSerial = 0): string[] {
    return this.list(afterSerial).map(formatAuditLine);
  }
}
