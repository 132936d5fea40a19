/**
 * The regex translation on its own: refusals with offsets, the literal prefix used for indexing
 * (a property: every path the translated regex matches starts with it), exact-path detection.
 * Agreement with PCRE2 itself is tested in test/conformance/file-contexts-regex.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translateFileContextRegex } from '../../src/labeling/pcre-translate.js';

function refusal(src: string): string {
  const t = translateFileContextRegex(src);
  return t.ok ? 'translated' : `${t.offset}: ${t.message}`;
}

describe('translateFileContextRegex', () => {
  it('anchors by concatenation, so a top-level | binds to the anchors', () => {
    const t = translateFileContextRegex('/a|/b');
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    const re = new RegExp(t.value.source, 's');
    expect(re.test('/ax')).toBe(true);
    expect(re.test('x/b')).toBe(true);
    expect(re.test('x/bx')).toBe(false);
    expect(t.value.prefix).toBe('');
  });

  it('computes the required literal prefix and exact paths', () => {
    const cases: Array<[string, string, boolean]> = [
      ['/usr/bin(/.*)?', '/usr/bin', false],
      ['/usr/lib64?/x', '/usr/lib6', false],
      ['/usr/lib6+/x', '/usr/lib6', false],
      ['/etc/my\\.cnf', '/etc/my.cnf', true],
      ['/etc/passwd', '/etc/passwd', true],
      ['/a{2}', '/a', false],
      ['/a{,2}', '/a{,2}', true],
      ['^/x', '', false],
      ['/dev/sd\\d', '/dev/sd', false],
    ];
    for (const [src, prefix, literal] of cases) {
      const t = translateFileContextRegex(src);
      expect(t.ok ? [t.value.prefix, t.value.literal] : t.message, src).toEqual([prefix, literal]);
    }
  });

  it('refuses what has no exact JavaScript equivalent, at the offending offset', () => {
    expect(refusal('/a(?i)b')).toBe('2: group `(?i` is not supported (only (...), (?:...), (?=...), (?!...))');
    expect(refusal('/a\\1')).toBe('2: back-reference or octal escape `\\1` is not supported');
    expect(refusal('/a\\Qx\\E')).toBe('2: escape `\\Q` has no exact JavaScript equivalent');
    expect(refusal('/a*+')).toBe('3: possessive quantifier has no JavaScript equivalent');
    expect(refusal('*a')).toBe('0: quantifier does not follow a repeatable item');
    expect(refusal('/a**')).toBe('3: quantifier does not follow a repeatable item');
    expect(refusal('/a\\')).toBe('2: trailing backslash (the anchoring `$` would become a literal)');
    expect(refusal('/a[b')).toBe('2: missing terminating `]` for character class');
    expect(refusal('/a)')).toBe('2: unmatched `)`');
    expect(refusal('/(a')).toBe('3: missing `)`');
    expect(refusal('[:alpha:]')).toBe('0: POSIX class syntax outside a bracket expression');
    expect(refusal('[[:^alpha:]]')).toBe('1: negated POSIX class [:^alpha:] is not supported');
    expect(refusal('[z-a]')).toBe('2: range out of order in character class');
    expect(refusal('a{3,2}')).toBe('1: numbers out of order in `{}` quantifier');
    expect(refusal('a{70000}')).toBe('1: repeat count above 65535');
    expect(refusal('(a|b)*')).toBe('5: repeated group holding `|` or an unbounded quantifier (exponential backtracking)');
    expect(refusal('(a+){2}')).toBe('4: repeated group holding `|` or an unbounded quantifier (exponential backtracking)');
    expect(refusal('/a\\x{100}')).toBe('2: `\\x{...}` above 0xff (file_contexts regexes match bytes)');
    expect(refusal('/\u00e9')).toBe('1: NUL or non-ASCII character in a regex');
  });

  it('rewrites the absorbing repetition (L S*)* without changing what it matches', () => {
    const t = translateFileContextRegex('/lib/x\\.so(\\.[^/]*)*');
    expect(t.ok && t.value.source).toBe('^\\/lib\\/x\\.so(\\.[^/]*)?(?=\\n?$)');
    const long = `/lib/x.so${'.'.repeat(5000)}/y`;
    if (t.ok) expect(new RegExp(t.value.source, 's').test(long)).toBe(false);
  });

  const pieces = fc.constantFrom('a', 'b', '/', '.', '.*', '[^/]', '[^/]*', '(/.*)?', '\\.', 'x?', '(a|b)', '[0-9]+', '-', '$', '^', 'y{2}', '\\d');
  const regex = fc.array(pieces, { minLength: 1, maxLength: 6 }).map((xs) => xs.join(''));
  const subject = fc.array(fc.constantFrom('a', 'b', '/', '.', 'x', 'y', '1', '-', '\n'), { maxLength: 10 }).map((xs) => xs.join(''));

  it('property: every string a translated regex matches starts with its prefix; an exact path matches only itself', () => {
    fc.assert(
      fc.property(regex, fc.array(subject, { maxLength: 6 }), (src, subjects) => {
        const t = translateFileContextRegex(src);
        if (!t.ok) return;
        const re = new RegExp(t.value.source, 's');
        for (const s of [...subjects, t.value.prefix, `${t.value.prefix}a`, `${t.value.prefix}/x`]) {
          if (!re.test(s)) continue;
          expect(s.startsWith(t.value.prefix)).toBe(true);
          if (t.value.literal) expect(s === t.value.prefix || s === `${t.value.prefix}\n`).toBe(true);
        }
        if (t.value.literal) expect(re.test(t.value.prefix)).toBe(true);
      }),
      { seed: 11, numRuns: 1500 },
    );
  });

  it('property: never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (src) => {
        const t = translateFileContextRegex(src);
        if (t.ok) expect(() => new RegExp(t.value.source, 's')).not.toThrow();
        else expect(t.offset).toBeGreaterThanOrEqual(0);
      }),
      { seed: 12, numRuns: 3000 },
    );
  });
});
