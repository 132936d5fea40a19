// checkLineLengths: the first line over the limit is named, with its length; lines at the limit pass.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkLineLengths } from '../../src/io/input.js';

describe('checkLineLengths', () => {
  it('names the first over-long line and accepts lines at the limit', () => {
    expect(() => checkLineLengths('ab\nabcd\nabcdef\n', 'input', 4)).toThrow('input: line 3 is 6 characters long (limit 4 bytes a line)');
    expect(() => checkLineLengths('abcd\nabcd', 'input', 4)).not.toThrow();
    expect(() => checkLineLengths('', 'input', 0)).not.toThrow();
    expect(() => checkLineLengths('abcde', 'input', 4)).toThrow(/line 1 is 5 /);
  });

  it('agrees with splitting the text on newlines', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }).map((s) => s.replace(/\n/g, '')), { maxLength: 8 }), fc.nat(12), (lines, limit) => {
        const over = lines.findIndex((l) => l.length > limit);
        const check = () => checkLineLengths(lines.join('\n'), 'x', limit);
        if (over < 0) expect(check).not.toThrow();
        else expect(check).toThrow(`line ${over + 1} is ${lines[over]!.length} characters`);
      }),
      { seed: 15, numRuns: 300 },
    );
  });
});
