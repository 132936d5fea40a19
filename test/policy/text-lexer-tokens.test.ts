import { describe, expect, it } from 'vitest';
import {
  Lexer,
  SourceText,
  T_COLON,
  T_EOF,
  T_EQ,
  T_IDENT,
  T_LBRACE,
  T_MINUS,
  T_NEQ,
  T_NOT,
  T_NUMBER,
  T_PATH,
  T_RBRACE,
  T_SEMI,
  T_STRING,
  T_WORD,
  T_AND,
  T_OR,
  T_XOR,
  T_BAD,
  numberValue,
} from '../../src/policy/lexer.js';

function tokens(text: string): Array<[number, string]> {
  const lx = new Lexer(text);
  const out: Array<[number, string]> = [];
  while (lx.kind !== T_EOF) {
    out.push([lx.kind, lx.value]);
    lx.next();
  }
  return out;
}

describe('policy lexer', () => {
  it('splits a rule into identifiers and punctuation', () => {
    expect(tokens('allow a_t b-c.d:file { read };')).toEqual([
      [T_IDENT, 'allow'],
      [T_IDENT, 'a_t'],
      [T_IDENT, 'b-c.d'],
      [T_COLON, ':'],
      [T_IDENT, 'file'],
      [T_LBRACE, '{'],
      [T_IDENT, 'read'],
      [T_RBRACE, '}'],
      [T_SEMI, ';'],
    ]);
  });

  it('keeps category ranges as one identifier and a spaced minus as its own token', () => {
    expect(tokens('s0 - s0:c0.c1023')).toEqual([
      [T_IDENT, 's0'],
      [T_MINUS, '-'],
      [T_IDENT, 's0'],
      [T_COLON, ':'],
      [T_IDENT, 'c0.c1023'],
    ]);
  });

  it('lexes numbers (decimal, hex, octal), words, paths and strings', () => {
    expect(tokens('80 0x1F 010 9p 127.0.0.1 /proc/x "file name"')).toEqual([
      [T_NUMBER, '80'],
      [T_NUMBER, '0x1F'],
      [T_NUMBER, '010'],
      [T_WORD, '9p'],
      [T_WORD, '127.0.0.1'],
      [T_PATH, '/proc/x'],
      [T_STRING, 'file name'],
    ]);
    expect(numberValue('0x1F')).toBe(31);
    expect(numberValue('010')).toBe(8);
    expect(numberValue('08')).toBeNaN();
  });

  it('lexes conditional operators', () => {
    expect(tokens('! a && b || c ^ d == e != f').map(([k]) => k)).toEqual([
      T_NOT, T_IDENT, T_AND, T_IDENT, T_OR, T_IDENT, T_XOR, T_IDENT, T_EQ, T_IDENT, T_NEQ, T_IDENT,
    ]);
  });

  it('skips comments and records the handle_unknown header', () => {
    const lx = new Lexer('# handle_unknown allow\n# other\nclass x # trailing\n');
    expect([lx.kind, lx.value]).toEqual([T_IDENT, 'class']);
    expect(lx.handleUnknownComment).toBe('allow');
    lx.next();
    lx.next();
    expect(lx.kind).toBe(T_EOF);
  });

  it('interns identifiers: equal names are the same string instance', () => {
    const lx = new Lexer('abc_t abc_t');
    const a = lx.value;
    lx.next();
    expect(lx.value).toBe(a);
  });

  it('reports bad characters and unterminated strings as T_BAD', () => {
    expect(tokens('a @ "x')).toEqual([
      [T_IDENT, 'a'],
      [T_BAD, '@'],
      [T_BAD, '"'],
      [T_IDENT, 'x'],
    ]);
  });

  it('maps offsets to 1-based line and column', () => {
    const src = new SourceText('ab\ncd\r\nef', 'f.conf');
    expect(src.loc(0)).toEqual({ file: 'f.conf', line: 1, column: 1 });
    expect(src.loc(4)).toEqual({ file: 'f.conf', line: 2, column: 2 });
    expect(src.loc(7)).toEqual({ file: 'f.conf', line: 3, column: 1 });
    expect(src.lineText(4)).toBe('cd');
  });
});
