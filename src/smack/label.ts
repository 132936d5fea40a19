/**
 * SMACK labels (Linux `Documentation/admin-guide/LSM/Smack.rst`, `security/smack/smack_access.c`
 * `smk_parse_smack`): 1..255 bytes of printable ASCII other than `/`, `\`, `'` and `"`, not starting
 * with `-`. Labels are compared for equality only. Five labels are predefined.
 */
import { smackError } from '../errors.js';

/** SMK_LONGLABEL - 1: the longest label the kernel accepts (bytes) */
export const SMACK_MAX_LABEL = 255;

/** `*` star: a subject with it may access nothing; an object with it is open to every subject. */
export const SMACK_STAR = '*';
/** `_` floor: the default object label; every subject may read, execute and lock it. */
export const SMACK_FLOOR = '_';
/** `^` hat: a subject with it may read, execute and lock every object. */
export const SMACK_HAT = '^';
/** `?` huh: the label of objects whose label could not be determined (no special rule). */
export const SMACK_HUH = '?';
/** `@` web: any access to or from it is allowed (network peers). */
export const SMACK_WEB = '@';

export const SMACK_PREDEFINED: readonly string[] = [SMACK_STAR, SMACK_FLOOR, SMACK_HAT, SMACK_HUH, SMACK_WEB];

/** Why `label` is not a valid SMACK label, with the offending offset; undefined when valid. */
export function smackLabelProblem(label: string): { offset: number; reason: string } | undefined {
  if (label.length === 0) return { offset: 0, reason: 'empty label' };
  if (label.length > SMACK_MAX_LABEL) return { offset: SMACK_MAX_LABEL, reason: `longer than ${SMACK_MAX_LABEL} characters` };
  if (label[0] === '-') return { offset: 0, reason: 'a label cannot start with "-"' };
  for (let i = 0; i < label.length; i++) {
    const code = label.charCodeAt(i);
    if (code <= 0x20 || code > 0x7e) return { offset: i, reason: 'whitespace, control or non-ASCII character' };
    const ch = label[i]!;
    if (ch === '/' || ch === '\\' || ch === "'" || ch === '"') return { offset: i, reason: `character "${ch}" is not allowed` };
  }
  return undefined;
}

export function isSmackLabel(label: string): boolean {
  return smackLabelProblem(label) === undefined;
}

/** The label itself, or a SMACK error naming the offset of the fault. */
export function checkSmackLabel(label: string): string {
  const problem = smackLabelProblem(label);
  if (problem !== undefined) throw smackError(`invalid SMACK label "${label}" at offset ${problem.offset}: ${problem.reason}`);
  return label;
}
