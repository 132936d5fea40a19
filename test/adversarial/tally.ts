/**
 * The adversarial suite's shared tally: every hostile case records one outcome as a JSON line in
 * the file named by SVIRT_ADVERSARIAL_TALLY (set per run by global-setup.ts, inherited by every
 * test process); the global teardown counts the lines and prints the summary line.
 *
 * Outcomes: `ok` (a valid input answered correctly), `ok-refused` (a bad input refused with a typed
 * one-line error), `bad-error` (refused, but not exit 2 with one bounded line: the test fails;
 * not one of the summary's four counts), and the four defects the summary counts: `crash` (untyped exception, stack trace,
 * killed process), `hang` (timeout), `wrong-allow` (an allow the reference would not give),
 * `duplicate-label` (two running guests with one MCS pair, or one image held by two guests).
 */
import { appendFileSync } from 'node:fs';
import { SvirtError } from '../../src/errors.js';

export const TALLY_ENV = 'SVIRT_ADVERSARIAL_TALLY';

export type Outcome = 'ok' | 'ok-refused' | 'bad-error' | 'crash' | 'hang' | 'wrong-allow' | 'duplicate-label';

/** The defects the summary line counts, with their labels there. */
export const DEFECTS: ReadonlyArray<readonly [Outcome, string]> = [
  ['crash', 'crashes'],
  ['hang', 'hangs'],
  ['wrong-allow', 'wrong allows'],
  ['duplicate-label', 'duplicate labels'],
];

export interface TallyLine {
  readonly suite: string;
  readonly outcome: Outcome;
  readonly what: string;
}

/** Record one case (what: a short description, quoted in the tally file only). */
export function record(suite: string, outcome: Outcome, what: string): Outcome {
  const file = process.env[TALLY_ENV];
  if (file !== undefined && file !== '') {
    const line: TallyLine = { suite, outcome, what: what.length > 200 ? `${what.slice(0, 200)}…` : what };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
  return outcome;
}

/** An error thrown for a hostile input: a typed SvirtError with a code is a refusal, anything else a crash. */
export function classifyThrown(err: unknown): Outcome {
  return err instanceof SvirtError && typeof err.code === 'string' && (err.code as string).length > 0 ? 'ok-refused' : 'crash';
}

/** A message is one line of bounded length: no control characters, at most `max` characters. */
export function isOneLine(message: string, max = 400): boolean {
  // eslint-disable-next-line no-control-regex
  return message.length > 0 && message.length <= max && !/[\x00-\x1f\x7f\u2028\u2029]/.test(message);
}

/** A stack trace printed by Node ("    at f (file:1:2)") or an uncaught-error banner. */
export function looksLikeStackTrace(text: string): boolean {
  return /^\s+at .+(\(|:\d+)/m.test(text) || /node:internal|Uncaught|Error: write EPIPE|\bTypeError\b|\bRangeError\b/.test(text);
}
