/**
 * `svirt bench` through the CLI entry (in-process): tables with the machine, --json, --save-baseline,
 * and the exit codes — 1 when the gate fails (naming the suite), 2 for an unknown suite or a bad
 * baseline file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { svirt } from '../support/cli.js';
import { parseBaseline } from '../../src/bench/gate.js';

const dir = mkdtempSync(join(tmpdir(), 'svirt-bench-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('svirt bench', () => {
  it('--suite label --quick prints the machine and the table, --json writes the results', async () => {
    const json = join(dir, 'r.json');
    const r = await svirt('bench', '--suite', 'label', '--quick', '--json', json);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/machine: .+, \d+ cores, .*Node v\d+/);
    expect(r.out).toContain('== label: MCS label allocation');
    expect(r.out).toMatch(/allocate \+ release, empty pool\s+[\d.,]+\s+[\d.]+ [kMG]?\s+1\.00/);
    const data = JSON.parse(readFileSync(json, 'utf8')) as { suites: Array<{ name: string; cases: Array<{ nsPerOp: number }> }>; machine: { cores: number } };
    expect(data.suites.map((s) => s.name)).toEqual(['label']);
    expect(data.suites[0]!.cases[0]!.nsPerOp).toBeGreaterThan(0);
    expect(data.machine.cores).toBeGreaterThan(0);
  });

  it('an unknown suite is exit 2', async () => {
    const r = await svirt('bench', '--suite', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown suite "nope"');
  });

  it('a malformed baseline is exit 2 naming the file', async () => {
    const b = join(dir, 'bad.json');
    writeFileSync(b, '{"version":1,"tolerance":0.25,"ratios":{}}');
    const r = await svirt('bench', '--quick', '--gate', b);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${b}: "ratios" is empty`);
  });

  it('--gate exits 1 naming the suite and figures when a ratio is beyond the tolerance; --save-baseline writes one', async () => {
    const b = join(dir, 'strict.json');
    writeFileSync(b, JSON.stringify({ version: 1, tolerance: 0.25, ratios: { 'batch/batch-vs-single': 0.0001 } }));
    const saved = join(dir, 'saved.json');
    const r = await svirt('bench', '--quick', '--suite', 'batch', '--no-peers', '--gate', b, '--save-baseline', saved);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/performance gate FAILED .*strict\.json/);
    expect(r.err).toMatch(/FAIL batch: batch\/batch-vs-single = [\d.]+ > limit 0\.000 \(baseline 0\.000 \+25%; batch\/ours-batch [\d.]+ ns \/ batch\/ours-single [\d.]+ ns\)/);
    const written = parseBaseline(JSON.parse(readFileSync(saved, 'utf8')), saved);
    expect(written.ratios['batch/batch-vs-single']).toBeGreaterThan(0);
    expect(written.tolerance).toBe(0.25);
  });
});
