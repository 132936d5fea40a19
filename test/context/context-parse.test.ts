import { describe, expect, it } from 'vitest';
import { formatContext, formatLevel, formatRange, parseContext, parseRange } from '../../src/context/context.js';
import { CategorySet } from '../../src/context/categories.js';
import { buildSymbolIndex, OBJECT_R_VALUE } from '../../src/policy/model.js';
import { ModelBuilder, svirtExampleBuilder } from '../support/model-builder.js';

const model = svirtExampleBuilder().build();
const index = buildSymbolIndex(model);
const canon = (text: string): string => formatContext(model, parseContext(model, index, text));

describe('parseContext: valid MCS contexts', () => {
  it('parses a guest context into symbol values', () => {
    const c = parseContext(model, index, 'system_u:system_r:svirt_t:s0:c1,c2');
    expect(model.users[c.user - 1]!.name).toBe('system_u');
    expect(model.roles[c.role - 1]!.name).toBe('system_r');
    expect(model.types[c.type - 1]!.name).toBe('svirt_t');
    expect(c.range!.low.sens).toBe(1);
    expect(c.range!.low.cats.toArray()).toEqual([1, 2]);
    expect(c.range!.high.cats.toArray()).toEqual([1, 2]);
  });

  it('object_r skips the role/type and user-range checks', () => {
    const c = parseContext(model, index, 'user_u:object_r:svirt_image_t:s0:c5,c900');
    expect(c.role).toBe(OBJECT_R_VALUE);
  });

  it.each([
    // [input, canonical] — the examples of docs/selinux-semantics.md (canonical text)
    ['system_u:system_r:svirt_t:s0:c1,c0', 'system_u:system_r:svirt_t:s0:c0,c1'],
    ['system_u:system_r:svirt_t:s0:c0,c1,c2', 'system_u:system_r:svirt_t:s0:c0.c2'],
    ['system_u:system_r:svirt_t:s0:c0.c1', 'system_u:system_r:svirt_t:s0:c0,c1'],
    ['system_u:system_r:svirt_t:s0-s0', 'system_u:system_r:svirt_t:s0'],
    ['system_u:system_r:svirt_t:s0:c0.c1023-s0:c0.c1023', 'system_u:system_r:svirt_t:s0:c0.c1023'],
    ['system_u:system_r:svirt_t:s0-s0:c0.c1023', 'system_u:system_r:svirt_t:s0-s0:c0.c1023'],
    ['system_u:system_r:svirt_t:s0:c7,c3,c3,c5,c4', 'system_u:system_r:svirt_t:s0:c3.c5,c7'],
    ['system_u:system_r:svirt_t:s0:c1,c2,c4,c5,c6,c9', 'system_u:system_r:svirt_t:s0:c1,c2,c4.c6,c9'],
    ['system_u:system_r:svirt_t:s0:c2.c4,c3.c8', 'system_u:system_r:svirt_t:s0:c2.c8'],
    ['system_u:system_r:svirt_t:s0-s0:c3,c4', 'system_u:system_r:svirt_t:s0-s0:c3,c4'],
    ['system_u:system_r:svirt_t:s0:c1-s0:c1,c2', 'system_u:system_r:svirt_t:s0:c1-s0:c1,c2'],
  ])('%s → %s', (input, expected) => {
    expect(canon(input)).toBe(expected);
  });

  it('accepts aliases on input and prints canonical names', () => {
    const m = new ModelBuilder({ mls: true })
      .sensitivity('s0', { aliases: ['SystemLow'] })
      .sensitivity('s1')
      .category('c0', ['Alpha'])
      .category('c1')
      .category('c2')
      .cls('file', ['read'])
      .type('t_t', [], { aliases: ['t_alias_t'] })
      .role('r', ['t_t'])
      .user('u', ['r'], 's0-s1:c0.c2')
      .build();
    const ix = buildSymbolIndex(m);
    expect(formatContext(m, parseContext(m, ix, 'u:r:t_alias_t:SystemLow:Alpha,c1-s1:c0.c2'))).toBe('u:r:t_t:s0:c0,c1-s1:c0.c2');
  });

  it('parses non-MLS contexts without a level', () => {
    const m = new ModelBuilder().cls('file', ['read']).type('t_t').role('r', ['t_t']).user('u', ['r']).build();
    const ix = buildSymbolIndex(m);
    const c = parseContext(m, ix, 'u:r:t_t');
    expect(c.range).toBeUndefined();
    expect(formatContext(m, c)).toBe('u:r:t_t');
  });
});

describe('parseRange / formatRange / formatLevel', () => {
  it('parses a range on its own', () => {
    const r = parseRange(model, index, 's0-s0:c0.c1023');
    expect(r.low.cats.isEmpty()).toBe(true);
    expect(r.high.cats.size).toBe(1024);
    expect(formatRange(model, r)).toBe('s0-s0:c0.c1023');
  });

  it('formats a level with runs of 1, 2 and ≥3', () => {
    expect(formatLevel(model, { sens: 1, cats: CategorySet.of(0, 2, 3, 5, 6, 7, 1023) })).toBe('s0:c0,c2,c3,c5.c7,c1023');
    expect(formatLevel(model, { sens: 1, cats: new CategorySet() })).toBe('s0');
  });
});
