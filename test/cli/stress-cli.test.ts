/** `svirt stress` through the CLI: exit codes 0 PASS / 1 FAIL / 2 bad usage, --json and --html files. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { simPolicyPath, tmpFile } from '../sim/helpers.js';

function io(): CliIO & { out: string; err: string } {
  const o = { out: '', err: '' };
  return Object.assign(o, {
    stdout: (t: string) => void (o.out += t),
    stderr: (t: string) => void (o.err += t),
    readStdin: async () => '',
    stderrIsTTY: false,
  });
}

const base = (): string[] => ['stress', '--policy', simPolicyPath(), '--guests', '8', '--workers', '2', '--ops', '60000', '--seed', '11', '--attack-ratio', '0.5'];

describe('svirt stress CLI', () => {
  it('PASS exits 0 and writes the JSON and HTML reports', async () => {
    const json = tmpFile('r.json');
    const html = tmpFile('r.html');
    const t = io();
    expect(await run([...base(), '--json', json, '--html', html], t)).toBe(0);
    expect(t.out).toContain('verdict: PASS');
    const r = JSON.parse(readFileSync(json, 'utf8'));
    expect(r.schemaVersion).toBe(1);
    expect(r.totals.ops).toBe(60000);
    expect(readFileSync(html, 'utf8')).toContain('id="heatmap"');
  });

  it('a breach exits 1 and prints it with its reason', async () => {
    const t = io();
    expect(await run([...base(), '--fault', 'duplicate-label', '--guests', '4', '--ops', '100000'], t)).toBe(1);
    expect(t.out).toContain('verdict: FAIL');
    expect(t.out).toMatch(/BREACH guest\d → .* duplicate pair/);
  });

  it('--avc-hash picks the kernel hash: same decisions and counts under either, recorded in the report', async () => {
    const reports = [];
    for (const hash of ['xor', 'murmur']) {
      const json = tmpFile(`h-${hash}.json`);
      const t = io();
      expect(await run([...base(), '--avc-hash', hash, '--json', json], t)).toBe(0);
      expect(t.out).toContain(`${hash} hash`);
      reports.push(JSON.parse(readFileSync(json, 'utf8')));
    }
    expect(reports.map((r) => r.config.avc.hash)).toEqual(['xor', 'murmur']);
    expect(reports[0].operations).toEqual(reports[1].operations);
  });

  it('--quiet prints only the verdict line', async () => {
    const t = io();
    expect(await run([...base(), '--quiet'], t)).toBe(0);
    expect(t.out).toBe('verdict: PASS\n');
  });

  it('--bool NAME=VALUE sets a boolean for the whole run; --ring sets the ring size', async () => {
    const json = tmpFile('b.json');
    const t = io();
    expect(await run([...base(), '--bool', 'virt_use_execmem=on', '--ring', '8192', '--batch', '1024', '--json', json], t)).toBe(0);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    expect(r.config.ringOps).toEqual([8192, 8192]);
    expect(r.totals.replayedBatches).toBeGreaterThan(0);
    const exec = r.operations.filter((o: { scope: string; perm: string; tclass: string }) => o.scope === 'own' && o.perm === 'execute' && o.tclass === 'file');
    expect(exec.reduce((a: number, o: { allowed: number }) => a + o.allowed, 0)).toBeGreaterThan(0);
  });

  it.each([
    [['--bool', 'no_such_bool=1']],
    [['--bool', 'virt_use_execmem']],
    [['--ring', '0']],
    [['--fault', 'meteor-strike']],
    [['--duration', '1s']],
    [['--attack-ratio', '1.5']],
    [['--seed', 'abc']],
    [['--avc-hash', 'fnv']],
  ])('bad usage %j exits 2', async (extra) => {
    const t = io();
    expect(await run([...base(), ...extra], t)).toBe(2);
    expect(t.err).toMatch(/svirt: /);
  });
});
