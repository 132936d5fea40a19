/**
 * Access-vector table under construction: one entry per (source, target, class, specified), merged
 * as libsepol's expand_avrule_helper does (S libsepol/src/expand.c):
 * - allow / auditallow: data |= perms;
 * - dontaudit p: AUDITDENY entry, data &= ~p;
 * - auditdeny p: AUDITDENY entry, data &= p;
 * a new AUDITDENY entry starts at 0xffffffff (find_avtab_node), every other at 0.
 */
import { AVTAB_ALLOWED, AVTAB_AUDITALLOW, AVTAB_AUDITDENY, type AvEntry, type AvSpecified } from '../model.js';

export type AvOp = 'allow' | 'auditallow' | 'dontaudit' | 'auditdeny';

const SPEC: Record<AvOp, AvSpecified> = {
  allow: AVTAB_ALLOWED,
  auditallow: AVTAB_AUDITALLOW,
  dontaudit: AVTAB_AUDITDENY,
  auditdeny: AVTAB_AUDITDENY,
};

export class AvtabBuilder {
  private readonly index = new Map<number, AvEntry>();
  readonly entries: AvEntry[] = [];

  /** source/target < 2^16 and class < 2^16 (checked at declaration), so the key is exact. */
  add(op: AvOp, source: number, target: number, tclass: number, perms: number): void {
    const specified = SPEC[op];
    const key = ((source * 0x10000 + target) * 0x10000 + tclass) * 8 + specified;
    let e = this.index.get(key);
    if (!e) {
      e = { source, target, tclass, specified, data: specified === AVTAB_AUDITDENY ? 0xffffffff : 0 };
      this.index.set(key, e);
      this.entries.push(e);
    }
    switch (op) {
      case 'allow':
      case 'auditallow':
        e.data = (e.data | perms) >>> 0;
        break;
      case 'dontaudit':
        e.data = (e.data & ~perms) >>> 0;
        break;
      case 'auditdeny':
        e.data = (e.data & perms) >>> 0;
        break;
    }
  }
}
