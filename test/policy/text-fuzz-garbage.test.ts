import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicyText } from '../../src/policy/compiler.js';
import { SvirtError } from '../../src/errors.js';

const VALID = readFileSync(fileURLToPath(new URL('./fixtures/text-allstatements.conf', import.meta.url)), 'utf8');

/** Compiles or fails with a typed error: PolicySyntaxError (or E_POLICY_UNSUPPORTED); never anything else. */
function outcome(text: string): 'ok' | 'error' {
  try {
    compilePolicyText(text, 'fuzz.conf');
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(SvirtError);
    expect(['E_POLICY_SYNTAX', 'E_POLICY_UNSUPPORTED']).toContain((e as SvirtError).code);
    expect((e as SvirtError).message).toMatch(/^fuzz\.conf:\d+:\d+: error: /);
    return 'error';
  }
}

describe('garbage never crashes the front end (property)', () => {
  it('the fixture compiles', () => {
    expect(outcome(VALID)).toBe('ok');
  });

  it('random text', () => {
    const alphabet = fc.constantFrom(...'abc_t01{}();:,.-~*!&|^=" #\n\t/sxl'.split(''), 'allow ', 'type ', 'if ', 'class ', 'sid ', 'user ', 's0', 'c1.c3');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 200 }).map((a) => a.join('')), (t) => void outcome(t)), { numRuns: 400 });
  });

  it('truncations of a valid policy', () => {
    fc.assert(fc.property(fc.nat(VALID.length), (n) => void outcome(VALID.slice(0, n))), { numRuns: 300 });
  });

  it('random edits of a valid policy', () => {
    const edit = fc.tuple(fc.nat(VALID.length), fc.nat(8), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let t = VALID;
        for (const [at, del, ins] of edits) t = t.slice(0, at) + ins + t.slice(at + del);
        outcome(t);
      }),
      { numRuns: 300 },
    );
  });

  it('token shuffles of a valid policy', () => {
    const words = VALID.split(/(\s+)/);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(words.length - 1), fc.nat(words.length - 1)), { maxLength: 5 }), (swaps) => {
        const w = [...words];
        for (const [a, b] of swaps) [w[a], w[b]] = [w[b]!, w[a]!];
        outcome(w.join(''));
      }),
      { numRuns: 300 },
    );
  });
});
