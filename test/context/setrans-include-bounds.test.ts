/**
 * setrans.conf `Include=` with bounded time and memory: cycles are named, fan-out is stopped by the
 * whole-parse budget (SETRANS_LIMITS: files, bytes, translations), special files are refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SETRANS_LIMITS, loadSetransFile, parseSetrans } from '../../src/context/setrans.js';
import { SvirtError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'svirt-setrans-inc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(fn: () => unknown): SvirtError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SvirtError);
    expect((err as Error).message).not.toContain('\n');
    return err as SvirtError;
  }
  throw new Error('expected an error');
}

/**
 * A virtual tree 10 levels deep, 10 files a level: /L<n>_<i>.conf includes /L<n+1>_*.conf.
 * Read whole it would be 10^10 files; `reads()` counts what was actually read.
 */
function fanOut() {
  let reads = 0;
  const names = Array.from({ length: 100 }, (_, k) => `L${Math.floor(k / 10)}_${k % 10}.conf`);
  return {
    reads: () => reads,
    options: {
      listDir: () => names,
      readFile: (p: string) => {
        reads++;
        const level = Number(/L(\d+)_/.exec(p)![1]);
        return `s0:c${level}=Level${level}\n${level < 9 ? `Include=/L${level + 1}_*.conf\n` : ''}`;
      },
    },
  };
}

describe('setrans Include bounds', () => {
  it('names a file that includes itself', () => {
    const e = failure(() => parseSetrans('Include=/a.conf\n', '/a.conf', { readFile: () => 'Include=/a.conf\n' }));
    expect(e.message).toMatch(/^\/a\.conf:1:9: error: Include cycle: "a\.conf" → "a\.conf"/);
  });

  it('names the chain when a file includes an ancestor', () => {
    const files: Record<string, string> = { '/b.conf': 'Include=/c.conf\n', '/c.conf': 's0=Low\nInclude=/a.conf\n' };
    const e = failure(() => parseSetrans('Include=/b.conf\n', '/a.conf', { readFile: (p) => files[p]! }));
    expect(e.message).toMatch(/^\/c\.conf:2:9: error: Include cycle: "a\.conf" → "b\.conf" → "c\.conf" → "a\.conf"/);
  });

  it('sees a cycle through a symlink on disk', () => {
    writeFileSync(join(dir, 'top.conf'), 'Include=link.conf\n');
    symlinkSync(join(dir, 'top.conf'), join(dir, 'link.conf'));
    expect(failure(() => loadSetransFile(join(dir, 'top.conf'))).message).toMatch(/Include cycle: "top\.conf" → "top\.conf"/);
  });

  it('a diamond (two files including the same third) is not a cycle', () => {
    const files: Record<string, string> = { '/b.conf': 'Include=/d.conf\n', '/c.conf': 'Include=/d.conf\n', '/d.conf': 's0:c1=One\n' };
    const t = parseSetrans('Include=/b.conf\nInclude=/c.conf\n', '/a.conf', { readFile: (p) => files[p]! });
    expect(t.toHuman('s0:c1')).toBe('One');
  });

  it('10 × 10 fan-out stops at the file budget after reading at most that many files', () => {
    const small = fanOut();
    const e = failure(() => parseSetrans('Include=/L0_*.conf\n', '/top.conf', { ...small.options, limits: { files: 50 } }));
    expect(e.message).toMatch(/: error: Include="\/L\d_\*\.conf": more than 50 files read in all/);
    expect(small.reads()).toBe(49); // the top file counts as the first of the 50
    const whole = fanOut();
    expect(failure(() => parseSetrans('Include=/L0_*.conf\n', '/top.conf', whole.options)).message).toMatch(/more than 1024 files read in all/);
    expect(whole.reads()).toBe(SETRANS_LIMITS.files - 1);
  });

  it('stops at the byte budget and at the translation budget', () => {
    const files: Record<string, string> = { '/b.conf': 's0:c1=One\n'.repeat(100), '/c.conf': 's0:c2=Two\n'.repeat(100) };
    const opts = { readFile: (p: string) => files[p]! };
    expect(parseSetrans('Include=/b.conf\nInclude=/c.conf\n', '/a.conf', opts).toHuman('s0:c2')).toBe('Two');
    expect(failure(() => parseSetrans('Include=/b.conf\nInclude=/c.conf\n', '/a.conf', { ...opts, limits: { bytes: 1500 } })).message).toMatch(
      /Include="\/c\.conf": "\/c\.conf" brings the text read past 1500 bytes in all/,
    );
    expect(failure(() => parseSetrans('Include=/b.conf\nInclude=/c.conf\n', '/a.conf', { ...opts, limits: { entries: 150 } })).message).toMatch(
      /^\/c\.conf:51:1: error: more than 150 translations in all files together/,
    );
  });

  it('Include=/dev/zero, a FIFO and a directory are refused before reading, with a clear one-line error', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [target, kind] of [['/dev/zero', 'a character device'], [fifo, 'a FIFO'], [dir, 'a directory']] as const) {
      writeFileSync(join(dir, 'inc.conf'), `s0=Low\nInclude=${target}\n`);
      const e = failure(() => loadSetransFile(join(dir, 'inc.conf')));
      expect(e.message).toContain(`inc.conf:2:9: error: Include="${target}": cannot read "${target}"`);
      expect(e.message).toContain(`must be a regular file, this is ${kind}`);
    }
  });
});
