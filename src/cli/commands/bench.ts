/**
 * `svirt bench [--suite NAME]... [--quick] [--json FILE] [--markdown FILE] [--gate BASELINE.json]
 *              [--save-baseline FILE] [--tolerance X] [--debian-policy FILE] [--no-peers]`
 *
 * Runs the benchmark suites (src/bench/suites.ts), prints the machine and one table per suite (ns
 * per check, checks/s, ratio to ours), and the same-run ratios. With --gate, compares the ratios
 * with a baseline and exits 1 naming each failing suite and its figures. A peer that disagrees with
 * the engine aborts the run (exit 1) before anything is timed.
 * Exit: 0 ok / gate passed, 1 gate failed or a peer disagreed, 2 bad usage, bad baseline, I/O.
 */
import { BenchError, displayPath, quoteInput } from '../../errors.js';
import { errorLine } from '../messages.js';
import { DEFAULT_TOLERANCE, makeBaseline, readBaseline, writeBaseline, type Baseline } from '../../bench/gate.js';
import { formatMarkdown, formatText, writeJson, writeText } from '../../bench/report.js';
import { runBench } from '../../bench/run.js';
import { DEBIAN_POLICY, suiteNames } from '../../bench/suites.js';
import type { RegisterCommand } from '../io.js';

interface BenchOptions {
  suite: string[];
  quick?: boolean;
  json?: string;
  markdown?: string;
  gate?: string;
  saveBaseline?: string;
  tolerance?: string;
  debianPolicy: string;
  peers: boolean;
}

export const registerBench: RegisterCommand = (program, ctx) => {
  program
    .command('bench')
    .description('benchmark the engine beside its peers (plain TS, casbin, Cedar, libsepol); ratio gates for CI')
    .option('--suite <name>', `run this suite (repeatable): ${suiteNames().join(', ')}`, (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--quick', 'short timings and only the gate suites (hit, batch, miss) unless --suite is given')
    .option('--json <file>', 'write the full results as JSON')
    .option('--markdown <file>', 'write the tables as Markdown')
    .option('--gate <baseline>', 'compare the same-run ratios with a baseline file; exit 1 beyond its tolerance')
    .option('--save-baseline <file>', 'write the measured ratios as a new baseline')
    .option('--tolerance <x>', `tolerance stored by --save-baseline (default ${DEFAULT_TOLERANCE})`)
    .option('--debian-policy <file>', 'binary reference policy for the debian suite', DEBIAN_POLICY)
    .option('--no-peers', 'skip casbin, Cedar and libsepol')
    .action(async (opts: BenchOptions) => {
      let tolerance = DEFAULT_TOLERANCE;
      if (opts.tolerance !== undefined) {
        tolerance = Number(opts.tolerance);
        if (!(tolerance > 0 && tolerance <= 10)) {
          ctx.io.stderr(`svirt bench: --tolerance must be a number in (0, 10], got ${quoteInput(opts.tolerance)}\n`);
          ctx.exit(2);
          return;
        }
      }
      let baseline: Baseline | undefined;
      try {
        baseline = opts.gate !== undefined ? readBaseline(opts.gate) : undefined;
        const report = await runBench({
          suites: opts.suite,
          quick: opts.quick === true,
          ...(baseline ? { baseline } : {}),
          overrides: { debianPolicy: opts.debianPolicy, peers: opts.peers },
          log: (line) => ctx.io.stderr(`${line}\n`),
        });
        ctx.io.stdout(formatText(report));
        if (opts.json !== undefined) writeJson(opts.json, report);
        if (opts.markdown !== undefined) writeText(opts.markdown, formatMarkdown(report));
        if (opts.saveBaseline !== undefined) {
          writeBaseline(opts.saveBaseline, makeBaseline(report.ratios, report.machine, tolerance));
          ctx.io.stdout(`baseline written to ${opts.saveBaseline} (${Object.keys(report.ratios).length} ratios, tolerance ${tolerance})\n`);
        }
        if (report.gate && !report.gate.passed) {
          const failed = report.gate.checks.filter((c) => c.status === 'fail' || c.status === 'missing');
          ctx.io.stderr(`svirt bench: performance gate FAILED (${displayPath(opts.gate ?? '')}):\n${failed.map((c) => `  ${c.message}`).join('\n')}\n`);
          ctx.exit(1);
          return;
        }
        ctx.exit(0);
      } catch (e) {
        if (e instanceof BenchError) {
          ctx.io.stderr(`svirt bench: ${errorLine(e)}\n`);
          ctx.exit(e.kind === 'peer-mismatch' ? 1 : 2);
          return;
        }
        throw e;
      }
    });
};
