/**
 * The HostStore invariants (store.ts module doc), checked over the public interface so both
 * implementations share one definition. Used by `checkConsistency` and by the crash tests.
 */
import type { GuestRecord } from './guest-types.js';
import type { McsReservation } from './store.js';

export interface StoreSnapshot {
  readonly guests: readonly GuestRecord[];
  readonly mcs: readonly McsReservation[];
  readonly remembered: ReadonlyArray<{ path: string; model: string; label: string; refs: number }>;
}

export function consistencyProblems(s: StoreSnapshot): string[] {
  const problems: string[] = [];
  const byName = new Map(s.guests.map((g) => [g.def.name, g]));
  // 1. state vs live labels and files
  for (const g of s.guests) {
    if (g.state === 'running' && g.live.length === 0) problems.push(`guest ${g.def.name}: running without live labels`);
    if (g.state === 'shutoff' && (g.live.length > 0 || g.files.length > 0)) problems.push(`guest ${g.def.name}: shut off but has live labels or labelled files`);
    if (g.state === 'running' && g.pid === undefined) problems.push(`guest ${g.def.name}: running without a pid`);
  }
  // 2. remembered refcounts = running users that remembered
  const users = new Map<string, number>();
  for (const g of s.guests) {
    if (g.state !== 'running') continue;
    for (const f of g.files) if (f.remembered) users.set(`${f.model}\0${f.path}`, (users.get(`${f.model}\0${f.path}`) ?? 0) + 1);
  }
  const seen = new Set<string>();
  for (const r of s.remembered) {
    const key = `${r.model}\0${r.path}`;
    seen.add(key);
    const n = users.get(key) ?? 0;
    if (n !== r.refs) problems.push(`remembered ${r.model} label of ${r.path}: refs ${r.refs} but ${n} running user(s)`);
  }
  for (const [key, n] of users) if (!seen.has(key)) problems.push(`${key.replace('\0', ' ')}: ${n} running user(s) remembered it but no record exists`);
  // 3. reservations: one per guest holding an MCS level, dynamic levels unique and unshared
  const levelHolders = new Map<string, McsReservation[]>();
  for (const r of s.mcs) {
    const g = byName.get(r.guest);
    const live = g?.live.find((l) => l.mcsLevel !== undefined);
    if (!g || g.state !== 'running' || !live) problems.push(`MCS reservation ${r.level} held by ${r.guest}, which is not running with an MCS level`);
    else if (live.mcsLevel !== r.level) problems.push(`MCS reservation ${r.level} of ${r.guest} differs from its live level ${live.mcsLevel}`);
    levelHolders.set(r.level, [...(levelHolders.get(r.level) ?? []), r]);
  }
  for (const [level, holders] of levelHolders) {
    if (holders.length > 1 && holders.some((h) => h.dynamic)) problems.push(`MCS level ${level} held by ${holders.map((h) => h.guest).join(', ')} including a dynamic label`);
  }
  for (const g of s.guests) {
    if (g.state !== 'running') continue;
    for (const l of g.live) {
      if (l.mcsLevel !== undefined && !s.mcs.some((r) => r.guest === g.def.name && r.level === l.mcsLevel)) {
        problems.push(`guest ${g.def.name}: live MCS level ${l.mcsLevel} is not reserved`);
      }
    }
  }
  return problems;
}
