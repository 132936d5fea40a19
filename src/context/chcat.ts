/**
 * `chcat` (SELinuxProject/selinux `python/chcat/chcat`, docs/translation.md):
 * - `chcat -L`: every line of setrans.conf that does not start with `#` and holds a `=` is printed as
 *   `"%-30s %s"` (raw part padded to 30, one space, then the name). The file itself is read: `Include=`
 *   is not followed and mcstransd is not asked. A line with a second `=` makes chcat's Python
 *   formatting raise; here it is an error naming file:line:col.
 * - category arguments: `Name[,Name…]` replaces the file's level, `+Name`/`-Name` add/remove one
 *   category; mixing both kinds is an error. Names resolve to raw through the translation table.
 */
import { quoteInput, setransError, usageError } from '../errors.js';
import type { SetransTable } from './setrans.js';

/** `chcat -L` lines for setrans.conf `text` (no trailing newline per line). */
export function chcatList(text: string, file = 'setrans.conf'): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  // Python's str.split("\n") keeps a final empty string after a trailing newline: no line for it
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const second = line.indexOf('=', eq + 1);
    if (second >= 0) {
      throw setransError(file, n + 1, second + 1, 'chcat -L: a line with more than one "=" cannot be listed');
    }
    out.push(`${line.slice(0, eq).padEnd(30)} ${line.slice(eq + 1)}`);
  }
  return out;
}

/** A parsed category argument. */
export type ChcatSpec =
  | { readonly kind: 'replace'; readonly names: readonly string[] }
  | { readonly kind: 'incremental'; readonly ops: ReadonlyArray<{ readonly op: '+' | '-'; readonly name: string }> };

/** chcat `check_replace`: all entries `+x`/`-x`, or none of them. */
export function parseChcatSpec(arg: string): ChcatSpec {
  const items = arg.split(',');
  const signed = items.map((c) => c.startsWith('+') || c.startsWith('-'));
  if (signed.some((s) => s) && signed.some((s) => !s)) throw usageError('Can not combine +/- with other types of categories');
  if (signed.every((s) => s)) {
    return { kind: 'incremental', ops: items.map((c) => ({ op: c[0] as '+' | '-', name: c.slice(1) })) };
  }
  return { kind: 'replace', names: items };
}

/** A level as chcat handles it: sensitivity + category names in the order chcat keeps them. */
export interface ChcatLevel {
  readonly sens: string;
  readonly cats: readonly string[];
}

const SENS = /^s(\d+)$/;
/** chcat `isSensitivity`: s0..s15 */
function isSensitivity(text: string): boolean {
  const m = SENS.exec(text);
  return m !== null && Number(m[1]) <= 15;
}

/** chcat `expandCats`: `cA.cB` runs expanded, duplicates dropped; more than 25 → left unexpanded. */
export function expandCats(cats: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of cats) {
    for (const item of c.split(',')) {
      const dot = item.indexOf('.');
      if (dot >= 0) {
        const lo = Number(item.slice(1, dot));
        const hi = Number(item.slice(dot + 2));
        if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw usageError(`bad category range ${quoteInput(item)}`);
        for (let k = lo; k <= hi; k++) if (!out.includes(`c${k}`)) out.push(`c${k}`);
      } else if (!out.includes(item)) out.push(item);
    }
  }
  return out.length > 25 ? [...cats] : out;
}

/**
 * chcat `translate`: each name → raw through the table (`a:b:c:<name>`); a result that does not start
 * with a sensitivity s0..s15 is categories under s0. All names must share one sensitivity.
 */
export function chcatTranslate(names: readonly string[], table: SetransTable | undefined): ChcatLevel {
  if (names.length === 0) return { sens: 's0', cats: [] };
  let sens: string | undefined;
  const cats: string[] = [];
  for (const name of names) {
    const raw = table === undefined ? name : table.rangeToRaw(name);
    const parts = raw.split(':');
    let s: string;
    let rest: string[];
    if (isSensitivity(parts[0]!)) {
      s = parts[0]!;
      rest = expandCats(parts.slice(1));
    } else {
      s = 's0';
      rest = expandCats(parts);
    }
    if (sens === undefined) sens = s;
    else if (sens !== s) throw usageError('Can not have multiple sensitivities');
    cats.push(...rest);
  }
  return { sens: sens ?? 's0', cats };
}

/** What chcat does to one file: the new level for `chcon -l`, or none, plus the messages it prints. */
export interface ChcatOutcome {
  readonly level?: string;
  readonly messages: readonly string[];
}

/**
 * The new level of `path` (current range `currentRange`, raw) under `spec`, as chcat computes it.
 * Incremental edits work on the low level; chcat sorts categories as strings (`c10` before `c2`) and the
 * result goes through the same context validation as any chcon.
 */
export function chcatApply(spec: ChcatSpec, path: string, currentRange: string, table: SetransTable | undefined): ChcatOutcome {
  if (spec.kind === 'replace') {
    const t = chcatTranslate(spec.names, table);
    return { level: t.cats.length === 0 ? t.sens : `${t.sens}:${t.cats.join(',')}`, messages: [] };
  }
  const messages: string[] = [];
  const low = currentRange.split('-')[0]!;
  const [curSens, ...curCats] = low.split(':');
  let cats = curCats.length === 0 ? [] : expandCats(curCats);
  let sens = curSens ?? 's0';
  let changed = false;
  for (const { op, name } of spec.ops) {
    const t = chcatTranslate([name], table);
    if (t.cats.length === 0) throw usageError('Requires at least one category');
    const cat = t.cats[0]!;
    if (op === '+') {
      if (t.sens !== sens) messages.push(`Can not modify sensitivity levels using '+' on ${path}`);
      if (cats.includes(cat)) {
        messages.push(`${path} is already in ${name}`);
        continue;
      }
      cats = [...cats, cat].sort();
      sens = t.sens;
      changed = true;
    } else {
      if (t.sens !== sens) {
        messages.push(`Can not modify sensitivity levels using '+' on ${path}`);
        continue;
      }
      if (!cats.includes(cat)) {
        messages.push(`${path} is not in ${name}`);
        continue;
      }
      cats = cats.filter((c) => c !== cat);
      changed = true;
    }
  }
  if (!changed) return { messages };
  return { level: cats.length === 0 ? sens : `${sens}:${cats.join(',')}`, messages };
}
