/** The JSON report (schema version 1, docs/stress-report-schema.md) and the HTML page's content. */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/sim/report-json.js';
import { renderHtml } from '../../src/sim/report-html.js';
import { runStress } from '../../src/sim/stress.js';
import { smallOptions } from './helpers.js';

describe('stress reports', async () => {
  const pass = buildReport(await runStress(smallOptions()));
  const fail = buildReport(await runStress(smallOptions({ fault: ['s0-image'], guests: '6', ops: '200000' })));

  it('JSON has schemaVersion 1 and every documented section with the right types', () => {
    const r = JSON.parse(JSON.stringify(pass)) as Record<string, unknown>;
    expect(r['schemaVersion']).toBe(1);
    expect(r['tool']).toBe('svirt stress');
    for (const key of ['config', 'verdict', 'totals', 'workers', 'latencyNs', 'avc', 'decisions', 'operations', 'audit', 'faults', 'accounting', 'throughput', 'heatmap', 'memory']) {
      expect(r, key).toHaveProperty(key);
    }
    expect(pass.verdict.status).toBe('PASS');
    expect(pass.totals.ops).toBe(120_000);
    expect(pass.accounting).toEqual({ planned: 120_000, counted: 120_000, lostBatches: 0, lostOps: 0, rerunChunks: 0 });
    expect(pass.workers.reduce((a, w) => a + w.ops, 0)).toBe(120_000);
    expect(pass.decisions.reduce((a, d) => a + d.allowed + d.denied, 0)).toBe(120_000);
    expect(new Set(pass.decisions.map((d) => d.scope))).toEqual(new Set(['own', 'other', 'host']));
    for (const k of ['p50', 'p99', 'p999'] as const) expect(pass.latencyNs.op[k]).toBeGreaterThan(0);
    expect(pass.avc.lookups).toBe(pass.avc.hits + pass.avc.misses);
    expect(pass.heatmap.cells.length).toBe(pass.heatmap.rows * pass.heatmap.cols);
    expect(pass.heatmap.cells.reduce((a, c) => a + c[0], 0)).toBe(120_000);
    expect(pass.memory.peakRssBytes).toBeGreaterThan(0);
    expect(pass.config.ringOps.length).toBe(pass.config.lanes);
    expect(pass.totals.replayedBatches).toBeLessThanOrEqual(pass.totals.batches);
    expect(pass.totals.steadyOpsPerSec).toBeGreaterThan(0);
    for (const w of pass.workers) expect(w.engineMs).toBeLessThanOrEqual(w.busyMs + 1e-6);
  });

  it('audit samples are kernel-format AVC records', () => {
    expect(pass.audit.records).toBeGreaterThan(0);
    expect(pass.audit.samples.length).toBeGreaterThan(0);
    for (const s of pass.audit.samples) expect(s).toMatch(/^avc: {2}(denied|granted) {2}\{ [a-z_]+ \} for {2}pid=\d+ comm="qemu-kvm" .*scontext=\S+ tcontext=\S+ tclass=\w+/);
  });

  it('a FAIL report lists breaches with guest, object, permissions and reasons; the heatmap marks them', () => {
    expect(fail.verdict.status).toBe('FAIL');
    const b = fail.verdict.breaches[0]!;
    expect(b.reasons).toContain('image at s0');
    expect(b.objectContext).toMatch(/:s0$/);
    expect(fail.heatmap.cells.some((c) => c[2] > 0)).toBe(true);
  });

  it('HTML is one self-contained page with the three SVG charts and red only for breaches', () => {
    const html = renderHtml(pass);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    for (const id of ['throughput', 'latency', 'heatmap']) expect(html).toContain(`<svg xmlns="http://www.w3.org/2000/svg" id="${id}"`);
    expect(html).not.toMatch(/<script|<link|@import|url\(|src=/i);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:/);
    expect(html).not.toContain('#ff0000');
    expect(renderHtml(fail)).toContain('#ff0000');
  });
});
