/**
 * Differential property test of the file_contexts regex translation against PCRE2 itself
 * (file-contexts-pcre.c compiles each regex as libselinux does: "^" REGEX "$", DOTALL, bytes).
 * fast-check generates regexes in the dialect (literals, escapes, classes incl. `[]...]` and POSIX
 * names, groups, alternation, every quantifier form, anchors) and subjects (ASCII, `/`, newline,
 * non-ASCII); for each pair the translated RegExp must give PCRE2's answer, and a regex PCRE2
 * refuses must be refused by the translator too. Seeded; one reference process for all pairs.
 * Skips loudly without gcc or libpcre2-8.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathBytes } from '../../src/labeling/file-contexts.js';
import { translateFileContextRegex } from '../../src/labeling/pcre-translate.js';
import { warnFcSkip } from './file-contexts-ref.js';

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, 'file-contexts-pcre.c');

function buildPcreReference(): string {
  const outDir = join(process.env['SVIRT_CACHE_DIR'] ?? join(here, '..', '..', 'node_modules', '.cache', 'svirt'), 'conformance');
  const bin = join(outDir, 'file-contexts-pcre');
  if (existsSync(bin) && statSync(bin).mtimeMs >= statSync(SOURCE).mtimeMs) return bin;
  mkdirSync(outDir, { recursive: true });
  execFileSync('gcc', ['-std=gnu11', '-O2', '-o', `${bin}.tmp`, SOURCE, '-l:libpcre2-8.so.0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  execFileSync('mv', ['-f', `${bin}.tmp`, bin]);
  return bin;
}

let bin: string | undefined;
let missing: string | undefined;
try {
  bin = buildPcreReference();
} catch (err) {
  missing = `cannot build the PCRE2 reference (gcc, libpcre2-8): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  warnFcSkip('file_contexts regex translation vs PCRE2', missing);
}

const atom: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', '/', '-', '1', '}', ']', ',', '{', '#') },
  { weight: 2, arbitrary: fc.constantFrom('\\.', '\\+', '\\/', '\\d', '\\w', '\\s', '\\S', '\\D', '\\W', '\\x61', '\\x2f', '\\n', '\\t', '\\-', '\\]', '\\{') },
  { weight: 2, arbitrary: fc.constant('.') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('[ab]', '[^/]', '[a-c]', '[]a]', '[^]a]', '[a-]', '[-a]', '[[:digit:]]', '[[:alpha:]/]', '[\\d.]', '[.]', '[\\s]', '[\\]]', '[^\\n]', '[[a]', '[a\\-z]', '[\\x61-\\x63]'),
  },
  { weight: 1, arbitrary: fc.constantFrom('^', '$', '\\b', '\\B', '\\A', '\\z', '\\Z') },
);
const quantifier = fc.constantFrom('', '', '', '?', '*', '+', '{2}', '{1,2}', '{0,}', '{,2}', '*?', '+?', '??', '{1,2}?');

const regexArb: fc.Arbitrary<string> = fc.letrec<{ seq: string; alt: string; term: string }>((tie) => ({
  term: fc.oneof(
    { weight: 5, arbitrary: fc.tuple(atom, quantifier).map(([a, q]) => a + q) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('(', '(?:', '(?='), tie('alt'), quantifier).map(([open, inner, q]) => `${open}${inner})${q}`) },
  ),
  seq: fc.array(tie('term'), { minLength: 1, maxLength: 5 }).map((xs) => xs.join('')),
  alt: fc.oneof({ weight: 4, arbitrary: tie('seq') }, { weight: 1, arbitrary: fc.tuple(tie('seq'), tie('seq')).map(([a, b]) => `${a}|${b}`) }),
})).alt;

const subjectArb = fc.array(fc.constantFrom('a', 'b', '/', '-', '1', '.', ' ', '\n', '\t', '\v', 'é', '\u00a0', '}', ']', '{', ',', 'x'), { maxLength: 8 }).map((xs) => xs.join(''));

const EDGE_PAIRS: Array<[string, string]> = [
  ['.\\s', '\u00a0'], ['[^/]\\s', '\u00a0'], ['.\\S', '\u00a0'], ['a.b', 'aéb'], ['a..b', 'aéb'], ['a[^/]b', 'aéb'], ['a.b', 'a\nb'],
  ['x', 'x\n'], ['x$', 'x\n'], ['x', 'x\n\n'], ['x\\z', 'x\n'], ['x\\Z', 'x\n'], ['[]a]', ']'], ['[]a]+', ']a]'], ['[^]a]', 'b'], ['[^]a]', ']'],
  ['[[:digit:]]+', '123'], ['[[:alpha:]]', 'é'], ['[[:space:]]', '\v'], ['a|b', 'xb'], ['a|b', 'ax'], ['a|b', 'xbx'],
  ['a{,2}', 'a{,2}'], ['a{2', 'a{2'], ['a{2}', 'aa'], ['a{1,}', 'aaa'], ['\\x41', 'A'], ['\\x{41}', 'A'], ['\\d', '٣'], ['\\w', 'é'],
  ['(\\.[^/]*)*', '.a.b.c'], ['(\\.[^/]*)*', 'a'], ['(\\.[^/]*)+', ''], ['\\ba\\b', 'a'], ['[a-]', '-'], ['[\\]]', ']'],
];

describe.skipIf(missing !== undefined)('file_contexts regex translation agrees with PCRE2', () => {
  it('matches exactly as PCRE2 on generated (regex, subject) pairs', () => {
    const pairs = fc.sample(fc.tuple(regexArb, fc.array(subjectArb, { minLength: 4, maxLength: 4 })), { seed: 20261206, numRuns: 4000 });
    const flat: Array<[string, string]> = pairs.flatMap(([r, subjects]) => subjects.map((s) => [r, s] as [string, string]));
    // pairs where the dialects differ unless translated: bytes vs characters, DOTALL, `$` before a
    // final newline, `]` first in a class, POSIX classes, top-level `|` binding to the anchors,
    // `{` that is not a quantifier, ASCII-only `\s`
    for (const pair of EDGE_PAIRS) flat.push(pair);
    // subjects derived from the regex itself (its literal characters) make matches likely
    for (const [r] of pairs.slice(0, 1500)) flat.push([r, r.replace(/[\\^$()?*+|{}[\]]/g, '')]);
    const input = Buffer.concat(flat.map(([r, s]) => Buffer.from(`${r}\0${s}\0`, 'utf8')));
    const res = spawnSync(bin!, [], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(res.status).toBe(0);
    const answers = res.stdout.split('\n');
    answers.pop();
    expect(answers).toHaveLength(flat.length);

    const mismatches: string[] = [];
    let compared = 0;
    let matched = 0;
    let refused = 0;
    const cache = new Map<string, RegExp | null>();
    flat.forEach(([r, s], i) => {
      let re = cache.get(r);
      if (re === undefined) {
        const t = translateFileContextRegex(r);
        re = t.ok ? new RegExp(t.value.source, 's') : null;
        cache.set(r, re);
      }
      const want = answers[i]!;
      if (re === null) {
        refused++;
        return;
      }
      if (want === 'E') {
        mismatches.push(`${JSON.stringify(r)}: PCRE2 refuses it, svirt translated it`);
        return;
      }
      compared++;
      const got = re.test(pathBytes(s)) ? '1' : '0';
      if (got === '1') matched++;
      if (got !== want) mismatches.push(`${JSON.stringify(r)} on ${JSON.stringify(s)}: svirt ${got}, PCRE2 ${want}`);
    });
    expect(mismatches.slice(0, 10)).toEqual([]);
    // every edge construct is translated, not refused
    expect(EDGE_PAIRS.filter(([r]) => cache.get(r) === null).map(([r]) => r)).toEqual([]);
    // the corpus is not vacuous: most regexes translate, and matches and misses both occur
    expect(compared).toBeGreaterThan(8000);
    expect(matched).toBeGreaterThan(800);
    expect(refused).toBeLessThan(flat.length / 2);
  }, 60_000);
});
