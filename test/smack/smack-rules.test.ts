import { describe, expect, it } from 'vitest';
import { MAY_READ, MAY_WRITE } from '../../src/smack/access.js';
import { checkSmackLabel, isSmackLabel } from '../../src/smack/label.js';
import { SmackRuleSet, parseSmackRules } from '../../src/smack/rules.js';

describe('SMACK labels', () => {
  it('accepts up to 255 printable characters', () => {
    expect(isSmackLabel('svirt-5c9a')).toBe(true);
    expect(isSmackLabel('x'.repeat(255))).toBe(true);
    expect(isSmackLabel('_')).toBe(true);
  });
  it('refuses empty, too long, leading "-", slash, quotes, backslash and whitespace', () => {
    for (const bad of ['', 'x'.repeat(256), '-vm', 'a/b', 'a"b', "a'b", 'a\\b', 'a b', 'a\tb', 'é']) {
      expect(isSmackLabel(bad), bad).toBe(false);
    }
    expect(() => checkSmackLabel('vm/1')).toThrow('invalid SMACK label "vm/1" at offset 2');
  });
});

describe('rules text', () => {
  it('loads subject object access lines; the last rule for a pair wins', () => {
    const rules = parseSmackRules('# boot rules\nvm1 shared r\n\nvm2 shared rw   # comment\nvm1 shared rwx\n', 'accesses');
    expect(rules.size).toBe(2);
    expect(rules.get('vm1', 'shared')).toBe(parseSmackRules('a b rwx').get('a', 'b'));
    expect(rules.check('vm2', 'shared', MAY_READ | MAY_WRITE).allowed).toBe(true);
    expect(rules.toText()).toBe('vm1 shared rwx\nvm2 shared rw\n');
  });

  it('errors name file:line:col', () => {
    expect(() => parseSmackRules('a b r\nvm1 shared\n', 'acc')).toThrow('acc:2:11: error: expected "subject object access", found 2 field(s)');
    expect(() => parseSmackRules('a b r extra\n', 'acc')).toThrow('acc:1:7: error: expected "subject object access", found 4 field(s)');
    expect(() => parseSmackRules('  vm/1 b r\n', 'acc')).toThrow('acc:1:5: error: invalid label "vm/1"');
    expect(() => parseSmackRules('-vm b r\n', 'acc')).toThrow('acc:1:1: error: invalid label "-vm"');
    expect(() => parseSmackRules('a a r\n', 'acc')).toThrow('acc:1:3: error: rule names the same label "a" on both sides');
    expect(() => parseSmackRules('a b rz\n', 'acc')).toThrow(/^acc:1:5: error: invalid access "rz" at offset 1/);
  });

  it('change-rule adds and removes bits; revoke-subject empties a subject', () => {
    const rules = new SmackRuleSet();
    rules.set('a', 'b', MAY_READ);
    rules.change('a', 'b', MAY_WRITE, MAY_READ);
    expect(rules.get('a', 'b')).toBe(MAY_WRITE);
    rules.revokeSubject('a');
    expect(rules.check('a', 'b', MAY_WRITE).allowed).toBe(false);
  });
});
