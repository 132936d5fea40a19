// Bounded input: special files are refused before a byte is read, sizes are capped, quoting is one line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SvirtError, quoteInput } from '../../src/errors.js';
import { readRegularFile, readStreamBounded } from '../../src/io/input.js';

const dir = mkdtempSync(join(tmpdir(), 'svirt-input-'));

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SvirtError);
    return (e as SvirtError).code;
  }
  return 'no error';
}

describe('readRegularFile', () => {
  it('refuses /dev/zero, /dev/urandom, a directory and a FIFO without blocking', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const p of ['/dev/zero', '/dev/urandom', dir, fifo]) {
      expect(codeOf(() => readRegularFile(p, 'policy', 1024))).toBe('E_IO');
    }
    expect(() => readRegularFile(fifo, 'policy', 1024)).toThrow(/must be a regular file, this is a FIFO/);
  });

  it('reads a file up to its limit and refuses one byte more', () => {
    const f = join(dir, 'f');
    writeFileSync(f, 'x'.repeat(100));
    expect(readRegularFile(f, 'policy', 100).length).toBe(100);
    expect(codeOf(() => readRegularFile(f, 'policy', 99))).toBe('E_LIMIT');
  });

  it('names a missing file in one quoted line', () => {
    expect(() => readRegularFile(join(dir, 'no\nsuch'), 'policy', 10)).toThrow(/"[^\n]*no\\x0asuch": ENOENT/);
  });
});

describe('readStreamBounded', () => {
  it('stops at the limit without draining an endless stream', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 65536;
        this.push(Buffer.alloc(65536));
      },
    });
    await expect(readStreamBounded(endless, 'standard input', 1 << 20)).rejects.toMatchObject({ code: 'E_LIMIT' });
    expect(produced).toBeLessThan(4 << 20);
  });
});

describe('quoteInput', () => {
  it('is one line, at most the limit of input characters, and says what was cut', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const q = quoteInput(s);
        expect(q).not.toMatch(/[\n\r\u2028\u2029]/);
        expect(q.length).toBeLessThan(80 * 6 + 40);
        if (s.length > 80) expect(q).toMatch(/more characters\)$/);
      }),
    );
    expect(quoteInput('a\tb"c')).toBe('"a\\x09b\\"c"');
  });
});
