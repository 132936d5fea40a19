/**
 * `NAME=VALUE` boolean assignments, as `--bool` takes them (compute-av, check, stress) and as
 * `setsebool` accepts values: 1/0, true/false, on/off, yes/no.
 */
import { usageError } from '../errors.js';

const TRUE_WORDS = new Set(['1', 'true', 'on', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'off', 'no']);

/** `NAME=VALUE` pairs → boolean overrides; VALUE is 1/0, true/false, on/off or yes/no. */
export function parseBoolAssignments(assignments: readonly string[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : '';
    const value = eq > 0 ? a.slice(eq + 1).toLowerCase() : '';
    if (name === '' || !(TRUE_WORDS.has(value) || FALSE_WORDS.has(value))) {
      throw usageError(`--bool expects NAME=VALUE with VALUE 1/0, true/false, on/off: got "${a}"`);
    }
    out[name] = TRUE_WORDS.has(value);
  }
  return out;
}
