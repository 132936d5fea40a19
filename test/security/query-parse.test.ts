/**
 * The compute-av line syntax (src/security/query.ts parseQueryLine): fields, permission lists with
 * spaces/commas/braces, comments, MALFORMED shapes. The same rules are implemented in
 * test/conformance/harness.c; the conformance edge group checks the two agree.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQueryLine } from '../../src/security/query.js';

const S = 'system_u:system_r:svirt_t:s0:c1,c2';
const T = 'system_u:object_r:svirt_image_t:s0:c1,c2';

describe('parseQueryLine', () => {
  it('skips blank and comment-only lines', () => {
    for (const line of ['', '   ', '\t\r', '# comment', '   # indented comment']) expect(parseQueryLine(line)).toBeUndefined();
  });

  it('reads three fields and a permission list in every accepted spelling', () => {
    const spellings = ['read write', 'read,write', 'read, write', '{ read write }', '{read,write}', '  read \t write  ', '{ read, write } # why'];
    for (const p of spellings) {
      expect(parseQueryLine(`${S} ${T} file ${p}`)).toEqual({ scontext: S, tcontext: T, tclass: 'file', perms: ['read', 'write'] });
    }
  });

  it('accepts a query without permissions and keeps duplicates for the mask to merge', () => {
    expect(parseQueryLine(`${S}\t${T}\tfile`)).toEqual({ scontext: S, tcontext: T, tclass: 'file', perms: [] });
    expect(parseQueryLine(`${S} ${T} file read read`)?.perms).toEqual(['read', 'read']);
  });

  it('strips a trailing comment anywhere on the line', () => {
    expect(parseQueryLine(`${S} ${T} file read # write`)?.perms).toEqual(['read']);
    expect(parseQueryLine(`${S} ${T} #file read`)).toMatchObject({ error: 'MALFORMED', tclass: undefined });
  });

  it('reports MALFORMED for too few fields and bad braces, echoing what was there', () => {
    expect(parseQueryLine(S)).toEqual({ scontext: S, tcontext: undefined, tclass: undefined, perms: [], error: 'MALFORMED' });
    expect(parseQueryLine(`${S} ${T}`)).toMatchObject({ scontext: S, tcontext: T, error: 'MALFORMED' });
    for (const p of ['{ read', 'read }', '{}', '{ }', '{ {read} }', 'read{', 're}ad']) {
      expect(parseQueryLine(`${S} ${T} file ${p}`), p).toMatchObject({ tclass: 'file', error: 'MALFORMED' });
    }
  });

  it('property: any permission list, written with any separators and optional braces, parses back', () => {
    const perm = fc.stringMatching(/^[a-z_][a-z0-9_]{0,11}$/);
    const sep = fc.constantFrom(' ', ',', ', ', '\t', ' ,  ', ',,');
    fc.assert(
      fc.property(fc.array(perm, { minLength: 1, maxLength: 8 }), fc.array(sep, { minLength: 8, maxLength: 8 }), fc.boolean(), (perms, seps, braces) => {
        const body = perms.map((p, i) => (i === 0 ? p : `${seps[i - 1]}${p}`)).join('');
        const line = `${S} ${T} file ${braces ? `{ ${body} }` : body}`;
        expect(parseQueryLine(line)).toEqual({ scontext: S, tcontext: T, tclass: 'file', perms });
      }),
    );
  });

  it('property: never throws, and a parsed query has three non-empty fields or is MALFORMED', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (line) => {
        const q = parseQueryLine(line);
        if (q && !q.error) {
          for (const f of [q.scontext, q.tcontext, q.tclass]) expect(f && f.length > 0 && !/[\s#]/.test(f)).toBe(true);
          for (const p of q.perms) expect(/^[^\s,{}#]+$/.test(p)).toBe(true);
        }
      }),
    );
  });
});
