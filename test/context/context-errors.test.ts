import { describe, expect, it } from 'vitest';
import { contextIsValid, parseContext, parseRange } from '../../src/context/context.js';
import { CategorySet } from '../../src/context/categories.js';
import { ContextError, type ContextErrorKind, type ContextPart } from '../../src/errors.js';
import { buildSymbolIndex } from '../../src/policy/model.js';
import { ModelBuilder, svirtExampleBuilder } from '../support/model-builder.js';

// svirt example plus a second sensitivity that allows only c0..c9, a role without svirt_image_t
const model = svirtExampleBuilder()
  .sensitivity('s1', { allowed: [0, 9] })
  .role('guest_r', ['svirt_t'])
  .user('guest_u', ['guest_r'], 's0:c1,c2')
  .build();
const index = buildSymbolIndex(model);

function errorOf(text: string, m = model): ContextError {
  try {
    parseContext(m, buildSymbolIndex(m), text);
  } catch (e) {
    if (e instanceof ContextError) return e;
    throw e;
  }
  throw new Error(`expected a ContextError for ${JSON.stringify(text)}`);
}

const G = 'system_u:system_r:svirt_t:'; // 26 characters

describe('parseContext rejects invalid contexts with kind, part and offset', () => {
  it.each<[string, ContextErrorKind, ContextPart, number]>([
    ['', 'empty', 'context', 0],
    ['system_u', 'malformed', 'role', 8],
    ['system_u:system_r', 'malformed', 'type', 17],
    ['::', 'empty-part', 'user', 0],
    [':system_r:svirt_t:s0', 'empty-part', 'user', 0],
    ['system_u::svirt_t:s0', 'empty-part', 'role', 9],
    ['system_u:system_r::s0', 'empty-part', 'type', 18],
    ['system_u:system_r:svirt_t', 'mls-missing', 'level', 25],
    [G, 'empty-part', 'level', 26],
    [`${G}s0:`, 'empty-part', 'category', 29],
    [`${G}s0:c1,`, 'empty-part', 'category', 32],
    [`${G}s0:c1.`, 'empty-part', 'category', 32],
    [`${G}s0:,c1`, 'empty-part', 'category', 29],
    [`${G}s0-`, 'empty-part', 'level', 29],
    [`${G}:c1`, 'empty-part', 'sensitivity', 26],
    [`${G}s0:c5.c5`, 'bad-category-range', 'category', 29],
    [`${G}s0:c1,c3.c1`, 'bad-category-range', 'category', 32],
    [`${G}s0:c1.c2.c3`, 'unknown-category', 'category', 32],
    [`${G}s0:c1024`, 'unknown-category', 'category', 29],
    [`${G}s0:c1:c2`, 'unknown-category', 'category', 29],
    [`${G}s9`, 'unknown-sensitivity', 'sensitivity', 26],
    [`${G}s0 `, 'unknown-sensitivity', 'sensitivity', 26],
    [`${G}s0-s0:c1-s0`, 'unknown-category', 'category', 32],
    ['nobody_u:system_r:svirt_t:s0', 'unknown-user', 'user', 0],
    ['system_u:nobody_r:svirt_t:s0', 'unknown-role', 'role', 9],
    ['system_u:system_r:nobody_t:s0', 'unknown-type', 'type', 18],
    ['system_u:system_r:domain:s0', 'attribute-as-type', 'type', 18],
    ['system_u:system_r:svirt_image_t:s0', 'role-not-authorised-for-type', 'type', 18],
    ['user_u:system_r:svirt_t:s0', 'user-not-authorised-for-role', 'role', 7],
    [`${G}s1:c10`, 'category-not-allowed', 'category', 29],
    [`${G}s1:c0,c5.c12`, 'category-not-allowed', 'category', 32],
    [`${G}s0:c1,c2-s0:c1`, 'high-below-low', 'range', 35],
    [`${G}s1-s0`, 'high-below-low', 'range', 29],
    ['guest_u:guest_r:svirt_t:s0:c1,c3', 'range-outside-user', 'range', 24],
    ['guest_u:guest_r:svirt_t:s0-s0:c1,c2', 'range-outside-user', 'range', 24],
    ['system_u:system_r:svirt_t:s0\0', 'malformed', 'context', 28],
  ])('%j → %s %s @%d', (text, kind, part, offset) => {
    const e = errorOf(text);
    expect(e.code).toBe('E_CONTEXT');
    expect({ kind: e.kind, part: e.part, offset: e.offset }).toEqual({ kind, part, offset });
    expect(e.input).toBe(text);
    expect(e.message).toContain(`at offset ${offset}`);
  });

  it('object_r contexts are exempt from the user range', () => {
    expect(() => parseContext(model, index, 'guest_u:object_r:svirt_image_t:s0:c7')).not.toThrow();
  });

  it('rejects a level in a non-MLS policy', () => {
    const m = new ModelBuilder().cls('file', ['read']).type('t_t').role('r', ['t_t']).user('u', ['r']).build();
    const e = errorOf('u:r:t_t:s0', m);
    expect([e.kind, e.part, e.offset]).toEqual(['mls-not-enabled', 'level', 8]);
    expect(errorOf('u:r:t_t:', m).kind).toBe('mls-not-enabled');
  });

  it('parseRange reports offsets relative to the range text', () => {
    try {
      parseRange(model, index, 's0:c3-s0:c1');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ContextError);
      const c = e as ContextError;
      expect([c.kind, c.part, c.offset]).toEqual(['high-below-low', 'range', 6]);
    }
  });
});

describe('contextIsValid (contexts built in code)', () => {
  const ok = parseContext(model, index, 'system_u:system_r:svirt_t:s0:c1,c2');
  const lvl = (...c: number[]) => ({ sens: 1, cats: CategorySet.of(...c) });
  it('accepts a parsed context and rejects each kind of invalid one', () => {
    expect(contextIsValid(model, ok)).toBe(true);
    expect(contextIsValid(model, { ...ok, user: 99 })).toBe(false);
    expect(contextIsValid(model, { ...ok, type: index.types.get('domain')!.value })).toBe(false);
    expect(contextIsValid(model, { ...ok, type: index.types.get('svirt_image_t')!.value })).toBe(false);
    expect(contextIsValid(model, { user: ok.user, role: ok.role, type: ok.type })).toBe(false);
    expect(contextIsValid(model, { ...ok, range: { low: lvl(1, 2), high: lvl(1) } })).toBe(false);
    expect(contextIsValid(model, { ...ok, range: { low: { sens: 2, cats: CategorySet.of(10) }, high: { sens: 2, cats: CategorySet.of(10) } } })).toBe(false);
    const guest = parseContext(model, index, 'guest_u:guest_r:svirt_t:s0:c1,c2');
    expect(contextIsValid(model, { ...guest, range: { low: lvl(1), high: lvl(1, 3) } })).toBe(false);
  });
});
