import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { parseBoolAssignments } from '../../src/security/bool-assignments.js';

describe('parseBoolAssignments (--bool NAME=VALUE)', () => {
  it('accepts setsebool value words, case-insensitively; the last assignment wins', () => {
    expect(parseBoolAssignments(['a=1', 'b=off', 'c=TRUE', 'd=no', 'a=false'])).toEqual({ a: false, b: false, c: true, d: false });
  });

  it('rejects anything else with a usage error naming the input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const ok = /^[^=]+=(1|0|true|false|on|off|yes|no)$/i.test(s);
        if (ok) return;
        expect(() => parseBoolAssignments([s])).toThrow(SvirtError);
      }),
    );
  });
});
