import { describe, expect, it } from 'vitest';
import { PREAMBLE, classByName, compile, typeByName } from './text-helpers.js';
import { AVTAB_ALLOWED, AVTAB_AUDITALLOW, AVTAB_AUDITDENY } from '../../src/policy/model.js';

const TYPES = 'type a_t;\ntype b_t;\n';
// class file: fileish { read write getattr } then execute → bits read 0, write 1, getattr 2, execute 3
const READ = 1 << 0;
const WRITE = 1 << 1;
const GETATTR = 1 << 2;

function entries(rules: string): Array<{ specified: number; data: number }> {
  const m = compile(`${PREAMBLE}${TYPES}${rules}\n`);
  const a = typeByName(m, 'a_t');
  const b = typeByName(m, 'b_t');
  const f = classByName(m, 'file');
  return m.avtab.filter((e) => e.source === a && e.target === b && e.tclass === f).map((e) => ({ specified: e.specified, data: e.data }));
}

describe('avtab merging (libsepol expand_avrule_helper)', () => {
  it('ORs allow rules with the same key into one entry', () => {
    expect(entries('allow a_t b_t:file read;\nallow a_t b_t:file { write };')).toEqual([{ specified: AVTAB_ALLOWED, data: READ | WRITE }]);
  });

  it('dontaudit p is an AUDITDENY entry with data ~p, AND-merged', () => {
    expect(entries('dontaudit a_t b_t:file read;')).toEqual([{ specified: AVTAB_AUDITDENY, data: ~READ >>> 0 }]);
    expect(entries('dontaudit a_t b_t:file read;\ndontaudit a_t b_t:file write;')).toEqual([
      { specified: AVTAB_AUDITDENY, data: ~(READ | WRITE) >>> 0 },
    ]);
  });

  it('auditdeny p is an AUDITDENY entry with data p, AND-merged with dontaudit', () => {
    expect(entries('auditdeny a_t b_t:file { read write };')).toEqual([{ specified: AVTAB_AUDITDENY, data: READ | WRITE }]);
    expect(entries('auditdeny a_t b_t:file { read write };\ndontaudit a_t b_t:file write;')).toEqual([
      { specified: AVTAB_AUDITDENY, data: READ },
    ]);
  });

  it('keeps allow, auditallow and auditdeny entries of one key apart', () => {
    const got = entries('allow a_t b_t:file getattr;\nauditallow a_t b_t:file getattr;\ndontaudit a_t b_t:file read;');
    expect(got).toEqual([
      { specified: AVTAB_ALLOWED, data: GETATTR },
      { specified: AVTAB_AUDITALLOW, data: GETATTR },
      { specified: AVTAB_AUDITDENY, data: ~READ >>> 0 },
    ]);
  });

  it('neverallow never reaches the avtab', () => {
    expect(entries('neverallow a_t b_t:file read;')).toEqual([]);
  });
});
