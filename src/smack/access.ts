/**
 * SMACK access modes and the access check `smk_access` (Linux `security/smack/smack_access.c`,
 * `smack.h`). Mode bits are the kernel's MAY_* values so masks read the same as in the kernel.
 */
import { smackError } from '../errors.js';
import { SMACK_FLOOR, SMACK_HAT, SMACK_STAR, SMACK_WEB } from './label.js';

export const MAY_EXEC = 0x1;
export const MAY_WRITE = 0x2;
export const MAY_READ = 0x4;
export const MAY_APPEND = 0x8;
export const MAY_TRANSMUTE = 0x1000;
export const MAY_LOCK = 0x2000;
export const MAY_BRINGUP = 0x4000;
/** read or execute: what hat subjects and floor objects get without a rule */
export const MAY_ANYREAD = MAY_READ | MAY_EXEC;
export const MAY_ALL = MAY_READ | MAY_WRITE | MAY_EXEC | MAY_APPEND | MAY_TRANSMUTE | MAY_LOCK | MAY_BRINGUP;

/** Letters in the order smackfs prints them (`rwxatlb`). */
const LETTERS: ReadonlyArray<readonly [string, number]> = [
  ['r', MAY_READ],
  ['w', MAY_WRITE],
  ['x', MAY_EXEC],
  ['a', MAY_APPEND],
  ['t', MAY_TRANSMUTE],
  ['l', MAY_LOCK],
  ['b', MAY_BRINGUP],
];

/**
 * Access string → mask (smackfs `smk_perm_from_str`): letters `rwxatlb` in either case, any order;
 * `-` is a placeholder. The kernel stops at the first unknown character; here that is an error
 * naming its offset (fail loud: a typo must not silently drop permissions).
 */
export function parseSmackAccess(text: string): number {
  let mask = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!.toLowerCase();
    if (ch === '-') continue;
    const entry = LETTERS.find(([l]) => l === ch);
    if (entry === undefined) throw smackError(`invalid access "${text}" at offset ${i}: "${text[i]}" is not one of rwxatlb or -`);
    mask |= entry[1];
  }
  return mask;
}

/** Mask → `rwxatlb` letters (or `-` for none), as smackfs `load2` lists rules. */
export function formatSmackAccess(mask: number): string {
  const out = LETTERS.filter(([, bit]) => (mask & bit) !== 0).map(([l]) => l).join('');
  return out === '' ? '-' : out;
}

/** Which rule of `smk_access` decided. */
export type SmackStep =
  | 'star-subject'
  | 'web'
  | 'star-object'
  | 'same-label'
  | 'floor-object'
  | 'hat-subject'
  | 'rule'
  | 'no-rule';

export interface SmackDecision {
  readonly allowed: boolean;
  readonly step: SmackStep;
  /** the access the explicit rule grants (with MAY_WRITE implying MAY_LOCK); -1 when no rule */
  readonly may: number;
}

/** Explicit rule lookup: the granted mask for (subject, object), or undefined when there is no rule. */
export type SmackRuleLookup = (subject: string, object: string) => number | undefined;

/**
 * smk_access, in the kernel's order:
 * 1. subject `*` → denied;  2. subject or object `@` → allowed;  3. object `*` → allowed;
 * 4. same label → allowed;  5. a request of only read/execute, or only lock: object `_` or subject `^`
 * → allowed;  6. an explicit rule granting every requested bit (write implies lock) → allowed;
 * 7. denied.
 */
export function smackAccess(subject: string, object: string, request: number, lookup: SmackRuleLookup): SmackDecision {
  if (subject === SMACK_STAR) return { allowed: false, step: 'star-subject', may: -1 };
  if (object === SMACK_WEB || subject === SMACK_WEB) return { allowed: true, step: 'web', may: -1 };
  if (object === SMACK_STAR) return { allowed: true, step: 'star-object', may: -1 };
  if (subject === object) return { allowed: true, step: 'same-label', may: -1 };
  if ((request & MAY_ANYREAD) === request || (request & MAY_LOCK) === request) {
    if (object === SMACK_FLOOR) return { allowed: true, step: 'floor-object', may: -1 };
    if (subject === SMACK_HAT) return { allowed: true, step: 'hat-subject', may: -1 };
  }
  const rule = lookup(subject, object);
  if (rule === undefined) return { allowed: false, step: 'no-rule', may: -1 };
  const may = (rule & MAY_WRITE) !== 0 ? rule | MAY_LOCK : rule;
  return { allowed: (request & may) === request, step: 'rule', may };
}
