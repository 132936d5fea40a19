import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAY_APPEND,
  MAY_EXEC,
  MAY_LOCK,
  MAY_READ,
  MAY_WRITE,
  formatSmackAccess,
  parseSmackAccess,
  smackAccess,
} from '../../src/smack/access.js';
import { SmackRuleSet } from '../../src/smack/rules.js';

const none = (): undefined => undefined;
const RW = MAY_READ | MAY_WRITE;

describe('smk_access special labels, in kernel order', () => {
  it('1. a star subject is denied everything, even on a star or web object or its own label', () => {
    for (const object of ['*', '@', '_', 'Foo']) {
      expect(smackAccess('*', object, MAY_READ, () => MAY_READ)).toMatchObject({ allowed: false, step: 'star-subject' });
    }
  });

  it('2. web: any access to or from @ is allowed', () => {
    expect(smackAccess('Foo', '@', RW, none)).toMatchObject({ allowed: true, step: 'web' });
    expect(smackAccess('@', 'Foo', RW, none)).toMatchObject({ allowed: true, step: 'web' });
  });

  it('3. a star object is open to every subject (but 1 comes first)', () => {
    expect(smackAccess('Foo', '*', RW | MAY_APPEND, none)).toMatchObject({ allowed: true, step: 'star-object' });
  });

  it('4. the same label needs no rule', () => {
    expect(smackAccess('svirt-a', 'svirt-a', RW | MAY_EXEC | MAY_APPEND, none)).toMatchObject({ allowed: true, step: 'same-label' });
  });

  it('5. floor objects and hat subjects: read/execute-only or lock-only requests', () => {
    expect(smackAccess('Foo', '_', MAY_READ | MAY_EXEC, none)).toMatchObject({ allowed: true, step: 'floor-object' });
    expect(smackAccess('Foo', '_', MAY_LOCK, none)).toMatchObject({ allowed: true, step: 'floor-object' });
    expect(smackAccess('^', 'Foo', MAY_READ, none)).toMatchObject({ allowed: true, step: 'hat-subject' });
    // a write is not covered
    expect(smackAccess('Foo', '_', MAY_WRITE, none)).toMatchObject({ allowed: false, step: 'no-rule' });
    expect(smackAccess('^', 'Foo', MAY_READ | MAY_WRITE, none)).toMatchObject({ allowed: false, step: 'no-rule' });
    // read + lock together is neither "only read/exec" nor "only lock"
    expect(smackAccess('Foo', '_', MAY_READ | MAY_LOCK, none)).toMatchObject({ allowed: false });
  });

  it('6. an explicit rule must grant every requested bit; write implies lock', () => {
    const rules = new SmackRuleSet();
    rules.set('A', 'B', MAY_READ | MAY_WRITE);
    expect(rules.check('A', 'B', MAY_READ)).toMatchObject({ allowed: true, step: 'rule' });
    expect(rules.check('A', 'B', MAY_LOCK)).toMatchObject({ allowed: true, step: 'rule' });
    expect(rules.check('A', 'B', MAY_EXEC)).toMatchObject({ allowed: false, step: 'rule' });
    expect(rules.check('B', 'A', MAY_READ)).toMatchObject({ allowed: false, step: 'no-rule' });
  });

  it('7. default deny; a rule of "-" grants nothing', () => {
    const rules = new SmackRuleSet();
    rules.set('A', 'B', parseSmackAccess('-'));
    expect(rules.check('A', 'B', MAY_READ)).toMatchObject({ allowed: false, step: 'rule' });
    expect(smackAccess('A', 'C', MAY_READ, none)).toMatchObject({ allowed: false, step: 'no-rule' });
  });

  it('ordinary labels: decision is exactly "same label, or a rule covering the request" (property)', () => {
    const label = fc.constantFrom('A', 'B', 'C');
    fc.assert(
      fc.property(label, label, fc.integer({ min: 1, max: 15 }), fc.option(fc.integer({ min: 0, max: 15 })), (s, o, req, rule) => {
        const d = smackAccess(s, o, req, () => rule ?? undefined);
        const may = rule === null ? 0 : rule | ((rule & MAY_WRITE) !== 0 ? MAY_LOCK : 0);
        expect(d.allowed).toBe(s === o || (rule !== null && (req & may) === req));
      }),
    );
  });
});

describe('access strings', () => {
  it('letters in any order and case, "-" placeholder; unknown letters are errors with offset', () => {
    expect(parseSmackAccess('RWxa-tl')).toBe(parseSmackAccess('rwxatl'));
    expect(formatSmackAccess(parseSmackAccess('LtAxWr'))).toBe('rwxatl');
    expect(formatSmackAccess(0)).toBe('-');
    expect(() => parseSmackAccess('rwq')).toThrow(/offset 2/);
  });
});
