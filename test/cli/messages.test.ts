// The CLI's last guard on error lines: one line, bounded, control characters escaped; a policy with
// several diagnostics reported by its first and the count of the rest.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MESSAGE_LIMIT, errorLine, oneLine } from '../../src/cli/messages.js';
import { PolicySyntaxError, SvirtError } from '../../src/errors.js';

describe('oneLine', () => {
  it('is one line without raw control characters, at most MESSAGE_LIMIT plus the cut note', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1000 }), (s) => {
        const line = oneLine(s);
        expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
        expect(line.length).toBeLessThanOrEqual(MESSAGE_LIMIT + 40);
      }),
      { seed: 15, numRuns: 150 },
    );
    expect(oneLine('a\nb\tc')).toBe('a\\x0ab\\x09c');
    expect(oneLine('x'.repeat(500))).toBe(`${'x'.repeat(MESSAGE_LIMIT)}… (100 more characters)`);
    expect(oneLine('plain message')).toBe('plain message');
  });
});

describe('errorLine', () => {
  it('reports a multi-diagnostic policy error by its first diagnostic and the count', () => {
    const err = new PolicySyntaxError([
      { file: 'p.conf', line: 3, column: 1, message: 'unknown type a' },
      { file: 'p.conf', line: 9, column: 5, message: 'unknown type b' },
      { file: 'p.conf', line: 12, column: 2, message: 'unknown class c' },
    ]);
    expect(err.message.split('\n')).toHaveLength(3);
    expect(errorLine(err)).toBe('p.conf:3:1: error: unknown type a (and 2 more errors)');
    expect(errorLine(new SvirtError('E_USAGE', 'two\nlines'))).toBe('two\\x0alines');
    expect(errorLine('not an Error')).toBe('not an Error');
  });
});
