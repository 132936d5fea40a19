import { describe, expect, it } from 'vitest';
import { chcatApply, chcatList, chcatTranslate, expandCats, parseChcatSpec } from '../../src/context/chcat.js';
import { parseSetrans } from '../../src/context/setrans.js';
import { SvirtError } from '../../src/errors.js';

const ARTICLE = '# names\ns0:c0=CompanyConfidential\ns0:c1=PatientRecord\ns0:c2=Unclassified\ns0:c3=TopSecret\n';

describe('chcat -L', () => {
  it('prints "%-30s %s" per raw=name line, skipping # lines', () => {
    expect(chcatList(ARTICLE)).toEqual([
      `s0:c0${' '.repeat(25)} CompanyConfidential`,
      `s0:c1${' '.repeat(25)} PatientRecord`,
      `s0:c2${' '.repeat(25)} Unclassified`,
      `s0:c3${' '.repeat(25)} TopSecret`,
    ]);
  });

  it('keeps chcat quirks: keyword lines print, indented comments with = print, raw longer than 30 is not cut', () => {
    const lines = chcatList('Domain=Corp\n  # note=x\nno equals here\ns0-s0:c0.c1023,c1,c2,c3,c4,c5,c6=Wide\n');
    expect(lines[0]).toBe(`Domain${' '.repeat(24)} Corp`);
    expect(lines[1]).toBe(`  # note${' '.repeat(22)} x`);
    expect(lines[2]).toBe('s0-s0:c0.c1023,c1,c2,c3,c4,c5,c6 Wide');
    expect(lines).toHaveLength(3);
  });

  it('a second "=" is an error with its location (chcat itself crashes there)', () => {
    expect(() => chcatList('s0:c0=A\ns0:c1=B=C\n', 'x.conf')).toThrow('x.conf:2:8: error: chcat -L: a line with more than one "=" cannot be listed');
  });
});

describe('chcat category arguments', () => {
  const t = parseSetrans(ARTICLE);

  it('all +/- or none: mixing is refused', () => {
    expect(parseChcatSpec('+CompanyConfidential,-TopSecret')).toEqual({
      kind: 'incremental',
      ops: [
        { op: '+', name: 'CompanyConfidential' },
        { op: '-', name: 'TopSecret' },
      ],
    });
    expect(parseChcatSpec('s0:c1,c2')).toEqual({ kind: 'replace', names: ['s0:c1', 'c2'] });
    expect(() => parseChcatSpec('+A,B')).toThrow('Can not combine +/- with other types of categories');
  });

  it('names translate through setrans; bare categories are under s0; two sensitivities are refused', () => {
    expect(chcatTranslate(['CompanyConfidential', 'TopSecret'], t)).toEqual({ sens: 's0', cats: ['c0', 'c3'] });
    expect(chcatTranslate(['c5.c7'], undefined)).toEqual({ sens: 's0', cats: ['c5', 'c6', 'c7'] });
    expect(() => chcatTranslate(['s0:c1', 's1:c2'], undefined)).toThrow('Can not have multiple sensitivities');
    expect(expandCats(['c0.c30'])).toEqual(['c0.c30']); // more than 25: left as written
  });

  it('+Name adds (sorted as strings), -Name removes, repeats are reported', () => {
    expect(chcatApply(parseChcatSpec('+PatientRecord'), '/img', 's0:c10', t)).toEqual({ level: 's0:c1,c10', messages: [] });
    expect(chcatApply(parseChcatSpec('+c2'), '/img', 's0:c10', t).level).toBe('s0:c10,c2');
    expect(chcatApply(parseChcatSpec('+PatientRecord'), '/img', 's0:c1', t)).toEqual({ messages: ['/img is already in PatientRecord'] });
    expect(chcatApply(parseChcatSpec('-PatientRecord'), '/img', 's0:c1,c3', t)).toEqual({ level: 's0:c3', messages: [] });
    expect(chcatApply(parseChcatSpec('-PatientRecord'), '/img', 's0:c1', t)).toEqual({ level: 's0', messages: [] });
    expect(chcatApply(parseChcatSpec('-TopSecret'), '/img', 's0:c1', t)).toEqual({ messages: ['/img is not in TopSecret'] });
  });

  it('replace gives the translated level; errors are usage errors', () => {
    expect(chcatApply(parseChcatSpec('CompanyConfidential,TopSecret'), '/img', 's0:c9', t)).toEqual({ level: 's0:c0,c3', messages: [] });
    try {
      parseChcatSpec('-A,B');
    } catch (err) {
      expect((err as SvirtError).code).toBe('E_USAGE');
    }
  });
});
