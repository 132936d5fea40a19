/** file_contexts and .subs line grammar (label_support.c read_spec_entries, selabel_subs_init). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { parseSpecFile, parseSubstitutions } from '../../src/labeling/spec-file.js';

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof SvirtError) return `${err.code} ${err.message}`;
    throw err;
  }
  return 'no error';
}

describe('parseSpecFile', () => {
  it('reads REGEX [TYPE] CONTEXT, skipping comments and blank lines, with 1-based positions', () => {
    const text = '# comment\n\n   \t\n/etc(/.*)?\tsystem_u:object_r:etc_t:s0\n  /dev/null   -c  system_u:object_r:null_device_t:s0\r\n/tmp/.*\t<<none>>\n  # indented comment\n';
    const lines = parseSpecFile(text, 'fc');
    expect(lines.map((l) => [l.regex, l.typeField, l.context, l.line])).toEqual([
      ['/etc(/.*)?', undefined, 'system_u:object_r:etc_t:s0', 4],
      ['/dev/null', '-c', 'system_u:object_r:null_device_t:s0', 5],
      ['/tmp/.*', undefined, '<<none>>', 6],
    ]);
    expect([lines[1]!.regexColumn, lines[1]!.typeColumn, lines[1]!.contextColumn]).toEqual([3, 15, 19]);
  });

  it('a # inside a line is part of a field, not a comment', () => {
    expect(parseSpecFile('/a#b\tu:r:t:s0', 'fc')[0]!.regex).toBe('/a#b');
  });

  it('refuses malformed lines with file:line:col', () => {
    expect(errorOf(() => parseSpecFile('/ok u:r:t:s0\n/only-one-field\n', 'fc'))).toBe('E_FILE_CONTEXTS fc:2:16: error: missing fields: expected REGEX [TYPE] CONTEXT');
    expect(errorOf(() => parseSpecFile('/a -- u:r:t:s0 extra', 'fc'))).toBe('E_FILE_CONTEXTS fc:1:16: error: unexpected fourth field: expected REGEX [TYPE] CONTEXT');
    expect(errorOf(() => parseSpecFile('/caf\u00e9 u:r:t:s0', 'fc'))).toBe('E_FILE_CONTEXTS fc:1:5: error: non-ASCII character in a specification field');
    expect(errorOf(() => parseSpecFile('/a\0b u:r:t:s0', 'fc'))).toBe('E_FILE_CONTEXTS fc:1:3: error: NUL character in a specification line');
  });

  it('property: fields separated by any C whitespace come back as written', () => {
    const field = fc.stringMatching(/^[!-~]{1,12}$/).filter((f) => !f.startsWith('#'));
    const ws = fc.stringMatching(/^[ \t\v\f\r]{1,3}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(field, fc.option(field, { nil: undefined }), field, ws, ws, fc.stringMatching(/^[ \t]{0,2}$/)), { minLength: 1, maxLength: 8 }), (rows) => {
        const text = rows.map(([r, t, c, w1, w2, lead]) => (t === undefined ? `${lead}${r}${w1}${c}` : `${lead}${r}${w1}${t}${w2}${c}`)).join('\n');
        const parsed = parseSpecFile(text, 'p');
        expect(parsed.map((l) => [l.regex, l.typeField, l.context])).toEqual(rows.map(([r, t, c]) => [r, t, c]));
        parsed.forEach((l, i) => {
          const line = text.split('\n')[i]!;
          expect(line.slice(l.regexColumn - 1, l.regexColumn - 1 + l.regex.length)).toBe(l.regex);
          expect(line.slice(l.contextColumn - 1)).toBe(l.context);
        });
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('property: any text either parses or fails with an E_FILE_CONTEXTS location, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseSpecFile(text, 'p');
        } catch (err) {
          expect(err).toBeInstanceOf(SvirtError);
          expect((err as SvirtError).message).toMatch(/^p:\d+:\d+: error: /);
        }
      }),
      { seed: 8, numRuns: 500 },
    );
  });
});

describe('parseSubstitutions', () => {
  it('reads SRC DST lines in file order; one-field lines are ignored', () => {
    expect(parseSubstitutions('# c\n/lib64 /usr/lib\n\n/lonely\n /var/run\t/run \n', 's')).toEqual([
      { src: '/lib64', dst: '/usr/lib' },
      { src: '/var/run', dst: '/run' },
    ]);
  });
  it('refuses a third field and over-long lines with their location', () => {
    expect(errorOf(() => parseSubstitutions('/a /b /c', 's'))).toBe('E_FILE_CONTEXTS s:1:7: error: unexpected third field: expected SRC DST');
    expect(errorOf(() => parseSubstitutions(`/a /${'b'.repeat(1100)}`, 's'))).toMatch(/^E_FILE_CONTEXTS s:1:1: error: substitution line longer than 1022 bytes$/);
  });
});
