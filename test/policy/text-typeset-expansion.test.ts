import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PREAMBLE, avtabNames, compile } from './text-helpers.js';

const TYPES = `attribute dom;
attribute obj;
type a_t, dom;
type b_t, dom;
type c_t, obj;
type d_t;
`;

function rules(rule: string): string[] {
  return avtabNames(compile(`${PREAMBLE}${TYPES}${rule}\n`));
}

describe('type sets in rules (libsepol type_set_expand)', () => {
  it('keeps an attribute as the avtab key when the set is positive names only', () => {
    expect(rules('allow dom obj:file read;')).toEqual(['1 dom obj:file {read}']);
    expect(rules('allow { dom d_t } obj:file read;')).toEqual(['1 d_t obj:file {read}', '1 dom obj:file {read}']);
  });

  it('expands attributes to primary types when the set has an exclusion', () => {
    expect(rules('allow { dom -a_t } obj:file read;')).toEqual(['1 b_t obj:file {read}']);
    // the target is expanded independently: it stays an attribute
    expect(rules('allow { dom -b_t } { obj d_t }:file read;')).toEqual(['1 a_t d_t:file {read}', '1 a_t obj:file {read}']);
  });

  it('* is every primary type, ~ the complement over primary types', () => {
    expect(rules('allow * d_t:file read;')).toEqual(['1 a_t d_t:file {read}', '1 b_t d_t:file {read}', '1 c_t d_t:file {read}', '1 d_t d_t:file {read}']);
    expect(rules('allow ~dom d_t:file read;')).toEqual(['1 c_t d_t:file {read}', '1 d_t d_t:file {read}']);
    expect(rules('allow ~{ dom c_t } d_t:file read;')).toEqual(['1 d_t d_t:file {read}']);
  });

  it('self gives target = source, expanding source attributes (both sets expand for self rules)', () => {
    expect(rules('allow dom self:process signal;')).toEqual(['1 a_t a_t:process {signal}', '1 b_t b_t:process {signal}']);
    expect(rules('allow dom { self obj }:process signal;')).toEqual([
      '1 a_t a_t:process {signal}', '1 a_t c_t:process {signal}', '1 b_t b_t:process {signal}', '1 b_t c_t:process {signal}',
    ]);
  });

  it('class sets and permission sets: *, ~ and names', () => {
    expect(rules('allow a_t d_t:{ file dir } read;')).toEqual(['1 a_t d_t:dir {read}', '1 a_t d_t:file {read}']);
    expect(rules('allow a_t d_t:file *;')).toEqual(['1 a_t d_t:file {execute getattr read write}']);
    expect(rules('allow a_t d_t:file ~{ read write };')).toEqual(['1 a_t d_t:file {execute getattr}']);
    // a permission of only one of the classes is fine; checkpolicy requires it in at least one
    expect(rules('allow a_t d_t:{ file dir } { read search };')).toEqual(['1 a_t d_t:dir {read search}', '1 a_t d_t:file {read}']);
    // ~ covering every permission leaves nothing: the rule is omitted (checkpolicy warns)
    expect(rules('allow a_t d_t:process ~{ transition signal };')).toEqual([]);
  });

  it('matches a set-algebra reference on random sets (property)', () => {
    const names = ['dom', 'obj', 'a_t', 'b_t', 'c_t', 'd_t'];
    const members: Record<string, string[]> = { dom: ['a_t', 'b_t'], obj: ['c_t'], a_t: ['a_t'], b_t: ['b_t'], c_t: ['c_t'], d_t: ['d_t'] };
    const primaries = ['a_t', 'b_t', 'c_t', 'd_t'];
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(fc.constantFrom(...names), { maxLength: 2 }),
        fc.boolean(),
        (pos, neg, comp) => {
          const body = [...pos, ...neg.map((n) => `-${n}`)].join(' ');
          const set = `${comp ? '~' : ''}{ ${body} }`;
          const got = rules(`allow ${set} d_t:file read;`).map((l) => l.split(' ')[1]!);
          const expand = comp || neg.length > 0;
          let want: string[];
          if (!expand) want = [...pos];
          else {
            const inc = new Set(pos.flatMap((p) => members[p]!));
            for (const n of neg.flatMap((x) => members[x]!)) inc.delete(n);
            want = comp ? primaries.filter((p) => !inc.has(p)) : [...inc];
          }
          expect(got.sort()).toEqual([...new Set(want)].sort());
        },
      ),
      { numRuns: 150 },
    );
  });
});
