/**
 * `NAME=VALUE` boolean assignments, as `--bool` takes them (compute-av, check, stress) and as
 * `setsebool` accepts values: 1/0, true/false, on/off, yes/no.
 */
import { quoteInput, usageError } from '../errors.js';

const TRUE_WORDS = new Set(['1', 'true', 'on', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'off', 'no']);

/**
 * `NAME=VALUE` pairs → boolean overrides; VALUE is 1/0, true/false, on/off or yes/no. The result
 * has no prototype, so every NAME (`__proto__`, `constructor`, …) is an own key that
 * createSecurityServer checks against the policy's booleans (an unknown one is E_UNKNOWN_BOOL);
 * on an ordinary object `__proto__=1` would set the prototype and vanish.
 */
export function parseBoolAssignments(assignments: readonly string[]): Record<string, boolean> {
  const out = Object.create(null) as Record<string, boolean>;
  for (const a of assignments) {
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : '';
    const value = eq > 0 ? a.slice(eq + 1).toLowerCase() : '';
    if (name === '' || !(TRUE_WORDS.has(value) || FALSE_WORDS.has(value))) {
      throw usageError(`--bool expects NAME=VALUE with VALUE 1/0, true/false, on/off: got ${quoteInput(a)}`);
    }
    out[name] = TRUE_WORDS.has(value);
  }
  return out;
}
