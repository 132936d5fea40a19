/**
 * Policy text load: Debian's whole reference policy (policy.33 → `checkpolicy -F`, ≈10.7 MB) parsed
 * and compiled to a PolicyModel. Reports the median load time over the samples, model size
 * figures and the process peak RSS. Skips (with the install hint) when the Debian policy or
 * checkpolicy is missing.
 *
 * Run: npx tsx bench/policy-load.bench.ts [--iterations N]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { parsePolicyText } from '../src/policy/load.js';
import type { PolicyModel } from '../src/policy/model.js';
import { buildPolicyImage } from '../src/policy/image.js';
import { condResults, defaultBoolStates } from '../src/security/reference.js';

const BINARY = '/etc/selinux/default/policy/policy.33';

function debianConf(): string | undefined {
  try {
    if (!existsSync(BINARY)) return undefined;
    const out = join(mkdtempSync(join(tmpdir(), 'svirt-bench-')), 'debian.conf');
    execFileSync('checkpolicy', ['-M', '-b', BINARY, '-F', '-o', out], { stdio: 'pipe' });
    return out;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const file = debianConf();
  if (!file) {
    console.warn('policy-load bench SKIPPED: needs apt-get install selinux-policy-default checkpolicy libsepol-dev');
    return;
  }
  const text = readFileSync(file, 'utf8');
  const argIdx = process.argv.indexOf('--iterations');
  const iterations = argIdx > 0 ? Number(process.argv[argIdx + 1]) : 10;
  let model: PolicyModel | undefined;
  const bench = new Bench({ iterations, time: 0, warmupIterations: 1, warmupTime: 0 });
  // CPU time per sample too: on a loaded 2-core machine wall time mostly measures the neighbours
  const cpuMs: number[] = [];
  bench.add('parse+compile Debian policy.conf', () => {
    const c0 = process.cpuUsage();
    model = parsePolicyText(text, file);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  });
  await bench.run();
  const task = bench.tasks[0]!;
  const r = task.result as unknown as { latency?: { p50?: number; samplesCount?: number }; p50?: number; samples?: number[] };
  const median = r.latency?.p50 ?? r.p50 ?? Number.NaN;
  const m = model!;
  const condEntries = m.conds.reduce((n, c) => n + c.trueList.length + c.falseList.length, 0);
  const figures = {
    file,
    bytes: text.length,
    samples: r.latency?.samplesCount ?? iterations,
    medianMs: Number(median.toFixed(1)),
    medianCpuMs: Number([...cpuMs].sort((a, b) => a - b)[Math.floor(cpuMs.length / 2)]!.toFixed(1)),
    loadAvg1m: Number((await import('node:os')).loadavg()[0]!.toFixed(1)),
    types: m.types.filter((t) => !t.attribute).length,
    attributes: m.types.filter((t) => t.attribute).length,
    classes: m.classes.length,
    avtab: m.avtab.length,
    conds: m.conds.length,
    condEntries,
    constraints: m.classes.reduce((n, c) => n + c.constraints.length, 0),
    other: m.other.length,
    /** the Wasm policy image built from this model (what every worker receives) */
    imageBytes: buildPolicyImage(m, { seqno: 1, condResults: condResults(m, defaultBoolStates(m)) }).length,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  console.table([figures]);
  console.log(JSON.stringify({ bench: 'policy-load', ...figures }));
}

await main();
