import { describe, expect, it } from 'vitest';
import { PREAMBLE, compile, diagnosticsOf } from './text-helpers.js';
import { PolicySyntaxError } from '../../src/errors.js';

describe('diagnostics', () => {
  it('reports every error with file:line:col, recovering at ; and statement starts', () => {
    const text = `${PREAMBLE}type a_t;
allow a_t b_t:file read;
allow a_t a_t:file { read nosuch };
bogus statement here;
type c_t
type d_t;
allow d_t a_t:file read;
`;
    const lines = diagnosticsOf(text);
    const base = PREAMBLE.split('\n').length - 1; // lines in the preamble
    expect(lines).toEqual([
      `test.conf:${base + 2}:11: error: unknown type or attribute 'b_t'`,
      `test.conf:${base + 3}:27: error: permission 'nosuch' is not defined for class 'file'`,
      `test.conf:${base + 4}:1: error: unknown statement 'bogus'`,
      `test.conf:${base + 6}:1: error: expected ';', found "type"`,
    ]);
  });

  it('carries structured diagnostics with the line text', () => {
    try {
      compile('class x\nsid k\nclass x { a }\ntype t;\nallow t t:y a;\n', 'p.conf');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicySyntaxError);
      const d = (e as PolicySyntaxError).diagnostics;
      expect(d).toEqual([{ file: 'p.conf', line: 5, column: 11, message: "unknown class 'y'", lineText: 'allow t t:y a;' }]);
      expect((e as PolicySyntaxError).code).toBe('E_POLICY_SYNTAX');
    }
  });

  it('reports duplicates, bad category ranges and invalid contexts', () => {
    const mls = `${PREAMBLE}sensitivity s0;
dominance { s0 }
category c0;
category c1;
category c2;
level s0:c0.c2;
type a_t;
type a_t;
role r;
role r types a_t;
user u roles r level s0 range s0 - s0:c2.c0;
user w roles r level s0 range s0 - s0;
sid kernel w:r:a_t:s0:c1
`;
    const lines = diagnosticsOf(mls);
    expect(lines.some((l) => /duplicate declaration of type 'a_t'/.test(l))).toBe(true);
    expect(lines.some((l) => /bad category range 'c2.c0'/.test(l))).toBe(true);
    expect(lines.some((l) => /invalid context for initial SID kernel: range is outside the range of user 'w'/.test(l))).toBe(true);
  });

  it('rejects unsupported module-language statements with their location', () => {
    expect(diagnosticsOf(`${PREAMBLE}optional { allow a b:c d; }\n`)[0]).toMatch(/:\d+:1: error: unsupported statement 'optional'/);
    expect(diagnosticsOf(`${PREAMBLE}type a_t;\nbool x true;\nif (x) { type b_t; }\n`)[0]).toMatch(/'type' is not allowed inside a conditional block/);
  });

  it('needs a dominance listing every sensitivity', () => {
    expect(diagnosticsOf(`${PREAMBLE}sensitivity s0;\nsensitivity s1;\ndominance { s0 }\n`)[0]).toMatch(/sensitivity 's1' is not listed in 'dominance'/);
  });
});
