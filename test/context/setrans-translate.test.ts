import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSetrans, loadSetransFile } from '../../src/context/setrans.js';
import { SvirtError } from '../../src/errors.js';

const ROOT = join(import.meta.dirname, '..', '..');

// the MCS (targeted) default file plus the sVirt article's names and an alias
const TARGETED = `
s0=SystemLow
s0-s0:c0.c1023=SystemLow-SystemHigh
s0:c0.c1023=SystemHigh
s0:c0=CompanyConfidential
s0:c1=PatientRecord
s0:c1=Patients        # alias: human → raw only
s0:c1,c3=CompanyConfidentialRedHat
`;

describe('setrans raw → human', () => {
  const t = parseSetrans(TARGETED, 'targeted.conf');

  it('translates exact levels and whole contexts, keeping user:role:type', () => {
    expect(t.toHuman('s0:c0')).toBe('CompanyConfidential');
    expect(t.toHuman('system_u:object_r:svirt_image_t:s0:c1')).toBe('system_u:object_r:svirt_image_t:PatientRecord');
    expect(t.toHuman('s0-s0:c0.c1023')).toBe('SystemLow-SystemHigh');
  });

  it('the first alias wins for display', () => {
    expect(t.toHuman('s0:c1')).toBe('PatientRecord');
  });

  it('unmapped categories stay raw; each half of a range is translated separately', () => {
    expect(t.toHuman('s0:c5')).toBe('s0:c5');
    expect(t.toHuman('s0-s0:c5')).toBe('SystemLow-s0:c5');
    expect(t.toHuman('s0:c0-s0:c0.c1023')).toBe('CompanyConfidential-SystemHigh');
    // equal halves collapse to one name (mcstrans trans_context)
    expect(t.toHuman('s0:c1-s0:c1')).toBe('PatientRecord');
  });

  it('matches the kernel spelling of a key written differently in the file', () => {
    const u = parseSetrans('s0:c2,c0,c1=Three\n');
    expect(u.toHuman('s0:c0.c2')).toBe('Three');
  });

  it('leaves text without a range, or a malformed range, unchanged', () => {
    expect(t.toHuman('system_u:object_r:etc_t')).toBe('system_u:object_r:etc_t');
    expect(t.toHuman('u:r:t:garbage')).toBe('u:r:t:garbage');
  });
});

describe('setrans human → raw', () => {
  const t = parseSetrans(TARGETED, 'targeted.conf');

  it('every alias maps back to raw, in canonical form', () => {
    expect(t.toRaw('PatientRecord')).toBe('s0:c1');
    expect(t.toRaw('Patients')).toBe('s0:c1');
    expect(t.toRaw('CompanyConfidentialRedHat')).toBe('s0:c1,c3');
    expect(t.toRaw('user_u:user_r:user_t:SystemLow-SystemHigh')).toBe('user_u:user_r:user_t:s0-s0:c0.c1023');
  });

  it('translates range halves separately and passes unknown halves through', () => {
    expect(t.toRaw('PatientRecord-SystemHigh')).toBe('s0:c1-s0:c0.c1023');
    expect(t.toRaw('SystemLow-Nonsense')).toBe('s0-Nonsense');
    expect(t.toRaw('Nonsense')).toBe('Nonsense');
  });
});

describe('setrans domains, Include and the shipped file', () => {
  it('tries domains in file order', () => {
    const t = parseSetrans('Domain=First\ns0:c0=A\nDomain=Second\ns0:c0=B\ns0:c1=C\n');
    expect(t.domainCount).toBe(2);
    expect(t.toHuman('s0:c0')).toBe('A');
    expect(t.toHuman('s0:c1')).toBe('C');
    expect(t.toRaw('B')).toBe('s0:c0');
  });

  it('follows Include= globs relative to the including file, in sorted order', () => {
    const files: Record<string, string> = {
      '/etc/setrans.d/b.conf': 's0:c2=Bee\n',
      '/etc/setrans.d/a.conf': 's0:c2=Ay\ns0:c3=Three\n',
    };
    const t = parseSetrans('Include=setrans.d/*.conf\n', '/etc/setrans.conf', {
      readFile: (p) => {
        const text = files[p];
        if (text === undefined) throw new Error('ENOENT');
        return text;
      },
      listDir: (d) => (d === '/etc/setrans.d' ? ['b.conf', 'a.conf', 'README'] : []),
    });
    expect(t.toHuman('s0:c2')).toBe('Ay');
    expect(t.toRaw('Bee')).toBe('s0:c2');
    expect(t.toHuman('s0:c3')).toBe('Three');
  });

  it('refuses Include nesting deeper than 32 levels', () => {
    // /d0.conf includes /d1.conf includes /d2.conf …: no cycle, only depth
    const chain = { readFile: (p: string) => `Include=/d${Number(/\d+/.exec(p)![0]) + 1}.conf\n` };
    expect(() => parseSetrans('Include=/d1.conf\n', '/d0.conf', chain)).toThrow(/nested more than 32/);
  });

  it('ships the sVirt article example in policies/setrans.conf', () => {
    const t = loadSetransFile(join(ROOT, 'policies', 'setrans.conf'));
    expect(t.toHuman('s0:c0')).toBe('CompanyConfidential');
    expect(t.toHuman('s0:c1')).toBe('PatientRecord');
    expect(t.toHuman('s0:c2')).toBe('Unclassified');
    expect(t.toHuman('s0:c3')).toBe('TopSecret');
    expect(t.toRaw('TopSecret')).toBe('s0:c3');
    expect(readFileSync(join(ROOT, 'policies', 'setrans.conf'), 'utf8')).toMatch(/^#/);
  });
});

describe('setrans errors carry file:line:col', () => {
  const bad = (text: string): string => {
    try {
      parseSetrans(text, 'bad.conf');
    } catch (err) {
      expect(err).toBeInstanceOf(SvirtError);
      expect((err as SvirtError).code).toBe('E_SETRANS');
      return (err as Error).message;
    }
    throw new Error('expected a setrans error');
  };

  it('a line without =, ! or >', () => {
    expect(bad('s0=Low\n   s0:c0 Confidential\n')).toBe('bad.conf:2:4: error: invalid line (no !, = or >)');
  });
  it('an empty side', () => {
    expect(bad('s0:c0=\n')).toMatch(/^bad\.conf:1:6: error: invalid line: nothing after "="/);
    expect(bad('  =Name\n')).toMatch(/^bad\.conf:1:3: error: invalid line: nothing before "="/);
  });
  it('a malformed raw level, and a category above c1023', () => {
    expect(bad('s0:c0,x1=Name\n')).toMatch(/^bad\.conf:1:1: error: invalid raw level/);
    expect(bad('s0:c1024=Name\n')).toMatch(/above c1023/);
    expect(bad('s0-s0:c3.c1=Name\n')).toMatch(/^bad\.conf:1:4: error: .*empty category range/);
  });
  it('group keywords outside a ModifierGroup, and "-" in a word', () => {
    expect(bad('Join=/\n')).toMatch(/^bad\.conf:1:1: error: expected ModifierGroup/);
    expect(bad('ModifierGroup=G\nc1=NO-DASH\n')).toMatch(/^bad\.conf:2:6: error: .*'-' is illegal in modifiers/);
  });
  it('a missing Include target (no wildcard)', () => {
    expect(() => parseSetrans('Include=/nope.conf\n', '/x.conf', { readFile: () => { throw new Error('ENOENT'); } })).toThrow(/x\.conf:1:9: error: Include="\/nope\.conf": cannot read "\/nope\.conf": ENOENT$/);
  });
});
