/**
 * What an admin sees: `ls -Z` (coreutils) and `ps -eZ` (procps-ng) layouts over the simulated host.
 *
 * ls -Z (coreutils ls.c `print_file_name_and_frills`): one entry per line when not writing to a
 * terminal, `printf("%*s ", scontext_width, context)` then the name — the context right-aligned to
 * the widest context of the listing. A directory argument lists its entries (names only, sorted
 * bytewise as under LC_ALL=C, dot files hidden); a non-directory argument prints the path as given.
 *
 * ps -eZ (procps-ng output.c): format `label,pid,tname,time,cmd` with widths LABEL 31 (left), PID 7
 * (right; the width procps derives from pid_max 4194304), TTY 8 (left), TIME 8 (right), CMD last.
 * Overlong text pushes later columns right and later padding absorbs it, as procps's
 * `show_one_proc` does with its "correct" vs "actual" screen positions.
 */
import type { HostObject } from './objects.js';
import type { HostProcess } from './processes.js';

/** raw → display translation of a context (setrans); identity when absent */
export type Translate = (context: string) => string;

const identity: Translate = (c) => c;

/** `ls -Z` lines for a listing: each entry with the name to print. */
export function formatLsZ(entries: ReadonlyArray<{ name: string; object: HostObject }>, translate: Translate = identity): string[] {
  const contexts = entries.map((e) => translate(e.object.label));
  const width = contexts.reduce((w, c) => Math.max(w, c.length), 0);
  return entries.map((e, i) => `${contexts[i]!.padStart(width)} ${e.name}`);
}

export interface PsColumn {
  readonly header: string;
  readonly width: number;
  readonly align: 'left' | 'right';
}

/** procps `label,pid,tname,time,cmd` for `ps -eZ` */
export const PS_EZ_COLUMNS: readonly PsColumn[] = [
  { header: 'LABEL', width: 31, align: 'left' },
  { header: 'PID', width: 7, align: 'right' },
  { header: 'TTY', width: 8, align: 'left' },
  { header: 'TIME', width: 8, align: 'right' },
  { header: 'CMD', width: 0, align: 'left' },
];

/** One row laid out as procps does (the last column unpadded). */
export function layoutPsRow(cells: readonly string[], columns: readonly PsColumn[]): string {
  let out = '';
  let correct = 0; // where this column should start
  let actual = 0; // where the cursor is
  let dospace = 0; // a separating space is owed
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i]!;
    const text = cells[i] ?? '';
    const leftpad = col.align === 'right' ? Math.max(0, col.width - text.length) : 0;
    let space = correct - actual + leftpad;
    if (space < 1) space = dospace;
    out += ' '.repeat(space) + text;
    if (i === columns.length - 1) break;
    actual += space + text.length;
    correct += col.width + 1;
    dospace = 1;
  }
  return out;
}

/** procps `time`: cumulative CPU time `[DD-]HH:MM:SS` */
export function formatCpuTime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${days > 0 ? `${days}-` : ''}${two(hh)}:${two(mm)}:${two(ss)}`;
}

/** `ps -eZ` lines: header then one row per process in pid order. */
export function formatPsEZ(processes: readonly HostProcess[], translate: Translate = identity): string[] {
  const rows = [PS_EZ_COLUMNS.map((c) => c.header)];
  for (const p of [...processes].sort((a, b) => a.pid - b.pid)) {
    rows.push([translate(p.label), String(p.pid), p.tty ?? '?', formatCpuTime(p.cpuSeconds), p.comm]);
  }
  return rows.map((r) => layoutPsRow(r, PS_EZ_COLUMNS));
}
