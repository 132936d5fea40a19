import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { svirt } from '../support/cli.js';

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'svirt-trans-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('svirt trans', () => {
  it('raw → human with the shipped setrans.conf; unmapped stays raw', async () => {
    expect(await svirt('trans', 'system_u:object_r:svirt_image_t:s0:c0', 's0:c3', 's0:c9', 's0:c1-s0:c9')).toEqual({
      code: 0,
      out: 'system_u:object_r:svirt_image_t:CompanyConfidential\nTopSecret\ns0:c9\nPatientRecord-s0:c9\n',
      err: '',
    });
  });

  it('--to-raw, with a custom --setrans file', async () => {
    const f = join(dir, 'setrans.conf');
    writeFileSync(f, 's0:c7=Research\ns0:c7=R\n');
    expect((await svirt('trans', '--setrans', f, '--to-raw', 'R', 'u:r:t:Research')).out).toBe('s0:c7\nu:r:t:s0:c7\n');
  });

  it('a broken setrans.conf is exit 2 with file:line:col', async () => {
    const f = join(dir, 'bad.conf');
    writeFileSync(f, 's0:c7=Research\nbogus line\n');
    const r = await svirt('trans', '--setrans', f, 's0:c7');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`svirt: ${f}:2:1: error: invalid line (no !, = or >)\n`);
  });
});

describe('svirt chcat -L', () => {
  it('lists the shipped names as chcat -L prints them', async () => {
    const r = await svirt('chcat', '-L');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      ['CompanyConfidential', 'PatientRecord', 'Unclassified', 'TopSecret'].map((n, i) => `${`s0:c${i}`.padEnd(30)} ${n}\n`).join(''),
    );
  });
});
