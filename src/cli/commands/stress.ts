/**
 * `svirt stress`: the isolation stress simulator (src/sim). Many guests hammer their own images
 * and, with `--attack-ratio`, other guests' images and processes and host files, on worker threads;
 * the run ends in a verdict. Exit 0 PASS, 1 FAIL, 2 bad usage or input.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { FAULTS } from '../../sim/faults.js';
import { DEFAULTS, type RawStressOptions, resolveOptions } from '../../sim/options.js';
import { randomSeed } from '../../sim/prng.js';
import { buildReport, type StressReport, writeJsonReport } from '../../sim/report-json.js';
import { writeHtmlReport } from '../../sim/report-html.js';
import { runStress, type StressProgress } from '../../sim/stress.js';
import type { CliIO, RegisterCommand } from '../io.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** The text summary printed on stdout (unless --quiet). */
export function formatSummary(r: StressReport): string {
  const lines: string[] = [];
  lines.push(`svirt stress: ${r.config.guests} guests × ${r.config.imagesPerGuest} images, ${r.config.workers} workers, policy ${r.config.policy}, seed ${r.seed}${r.config.faults.length ? `, faults ${r.config.faults.join(',')}` : ''}`);
  lines.push(`operations: ${r.totals.ops} in ${(r.totals.elapsedMs / 1000).toFixed(2)} s = ${fmt(r.totals.opsPerSec)} ops/s (steady ${fmt(r.totals.steadyOpsPerSec)} ops/s; setup ${(r.totals.setupMs / 1000).toFixed(2)} s)`);
  for (const t of r.workers) {
    const inWasm = t.busyMs > 0 ? ` (${((100 * t.engineMs) / t.busyMs).toFixed(0)}% in the engine)` : '';
    lines.push(`  worker ${t.threadId}: ${t.ops} ops, ${fmt(t.opsPerSec)} ops/s busy${inWasm}, batch p50/p99 ${t.latencyNs.batch.p50}/${t.latencyNs.batch.p99} ns`);
  }
  const l = r.latencyNs;
  lines.push(`latency per batch (ns): p50 ${l.batch.p50}  p99 ${l.batch.p99}  p99.9 ${l.batch.p999}; per operation: p50 ${l.op.p50}  p99 ${l.op.p99}  p99.9 ${l.op.p999}`);
  const geo = r.config.avc;
  lines.push(`AVC (${geo.slots} slots, threshold ${geo.threshold}, ${geo.hash} hash, per worker): lookups ${r.avc.lookups} hits ${r.avc.hits} misses ${r.avc.misses} reclaims ${r.avc.reclaims} (hit rate ${(r.avc.hitRate * 100).toFixed(2)}%)`);
  lines.push('decisions (scope class: allowed / denied):');
  for (const d of r.decisions) lines.push(`  ${d.scope.padEnd(5)} ${d.tclass.padEnd(9)} ${String(d.allowed).padStart(12)} / ${d.denied}`);
  lines.push(`audit records: ${r.audit.records} (${r.audit.denied} denied, ${r.audit.granted} granted)`);
  for (const s of r.audit.samples.slice(0, 3)) lines.push(`  ${s}`);
  for (const f of r.faults.labels) lines.push(`fault ${f.fault}: ${f.detail}`);
  if (r.faults.policyReload) lines.push(`fault policy-reload: generation ${r.faults.policyReload.generation} seqno ${r.faults.policyReload.seqno}, ${r.faults.policyReload.acks.length} worker ack(s), ${r.faults.policyReload.staleAnswers} stale answer(s)`);
  if (r.faults.booleanFlip) lines.push(`fault boolean-flip: ${r.faults.booleanFlip.name} ${r.faults.booleanFlip.from} → ${r.faults.booleanFlip.to}`);
  for (const c of r.faults.lostChunks) {
    const what = c.batchesExecuted > 0 ? `${c.batchesExecuted} batch(es) (${c.opsExecuted} ops) lost with the thread` : 'queued on the thread, not started';
    lines.push(`fault worker-crash: lane ${c.lane} chunk ${c.chunk}: ${what}${c.retried ? ', chunk re-run' : ''}`);
  }
  lines.push(`verdict: ${r.verdict.status}`);
  for (const f of r.verdict.failures) lines.push(`  ${f}`);
  for (const b of r.verdict.breaches.slice(0, 20)) {
    lines.push(`  BREACH ${b.guest} → ${b.object} (${b.objectContext}) ${b.tclass} { ${b.perms.join(' ')} } ×${b.count}: ${b.reasons.join(', ')}`);
    for (const w of b.why) lines.push(`      ${w}`);
  }
  if (r.verdict.breaches.length > 20) lines.push(`  … ${r.verdict.breaches.length - 20} more breach entries (see --json)`);
  for (const m of r.verdict.mismatches.slice(0, 10)) lines.push(`  MISMATCH ${m.guest} → ${m.object} ${m.tclass} ${m.perm}: expected ${m.expected}, got ${m.got} ×${m.count}`);
  return `${lines.join('\n')}\n`;
}

function progressBar(io: CliIO): { update(p: StressProgress): void; stop(): void } | undefined {
  if (!io.stderrIsTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    { format: 'stress [{bar}] {percentage}% | {ops} ops | {rate} ops/s | breaches {breaches}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const total = p.totalOps ?? p.durationMs ?? 1;
      const value = p.totalOps !== undefined ? p.doneOps : Math.min(p.elapsedMs, total);
      const payload = { ops: fmt(p.doneOps), rate: fmt(p.elapsedMs > 0 ? (p.doneOps * 1000) / p.elapsedMs : 0), breaches: p.breaches };
      if (!started) {
        bar.start(total, value, payload);
        started = true;
      } else bar.update(value, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export const registerStress: RegisterCommand = (program: Command, ctx) => {
  program
    .command('stress')
    .description('isolation stress test: guests hammer their own and each other\'s images on worker threads; PASS/FAIL verdict')
    .option('--guests <n>', `number of guests (default ${DEFAULTS.guests})`)
    .option('--images-per-guest <n>', `disk images per guest (default ${DEFAULTS.imagesPerGuest})`)
    .option('--workers <n>', 'worker threads (default: one per CPU)')
    .option('--duration <time>', 'run time, e.g. 10s, 500ms, 2m (default 10s)')
    .option('--ops <n>', 'total operations instead of a duration (reproducible with --seed)')
    .option('--attack-ratio <r>', `share of operations aimed at other guests and host files, 0..1 (default ${DEFAULTS.attackRatio})`)
    .option('--policy <file>', 'policy.conf text or binary policy.NN (default: the embedded sVirt policy)')
    .option('--state <file>', 'take guests and labels from a host state (label manager SQLite store)')
    .option('--seed <n>', 'u32 seed: same seed and options → same decisions and counts')
    .option('--fault <name>', `inject a fault (repeatable): ${FAULTS.join(', ')}`, collect, [])
    .option('--batch <n>', `checks per engine call (default ${DEFAULTS.batchSize})`)
    .option('--avc-slots <n>', `AVC slots = threshold per worker (default ${DEFAULTS.avc.slots})`)
    .option('--avc-hash <name>', `AVC bucket hash: murmur (kernel v6.19+ av_hash) or xor (kernel ≤ v6.18) (default ${DEFAULTS.avc.hash})`)
    .option('--ring <n>', `operations pre-generated per lane and replayed (default ${DEFAULTS.ringOps})`)
    .option('--bool <name=value>', 'set a boolean before the run (repeatable)', collect, [])
    .option('--json <file>', 'write the report as JSON (docs/stress-report-schema.md)')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--quiet', 'print only the verdict line')
    .action(async (raw: RawStressOptions & { json?: string; html?: string; quiet?: boolean }) => {
      const options = resolveOptions(raw, randomSeed);
      const bar = raw.quiet ? undefined : progressBar(ctx.io);
      let run;
      try {
        run = await runStress(options, bar ? { onProgress: (p) => bar.update(p) } : {});
      } finally {
        bar?.stop();
      }
      const report = buildReport(run);
      if (raw.json !== undefined) writeJsonReport(raw.json, report);
      if (raw.html !== undefined) writeHtmlReport(raw.html, report);
      if (raw.quiet) ctx.io.stdout(`verdict: ${report.verdict.status}${report.verdict.failures.length ? ` (${report.verdict.failures.join('; ')})` : ''}\n`);
      else ctx.io.stdout(formatSummary(report));
      ctx.exit(report.verdict.status === 'PASS' ? 0 : 1);
    });
};
