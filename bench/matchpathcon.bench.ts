/**
 * matchpathcon benchmarks (tinybench, medians, ratios measured in one run) on Debian's
 * /etc/selinux/default/contexts/files (5,621 specifications with .homedirs):
 *
 * - load: read, parse, translate and index file_contexts + .homedirs + .subs_dist (target ≤ 100 ms)
 * - svirt: one lookup per path through the prefix-tree index
 * - every regex in turn: the same specifications tried from the last to the first (libselinux's
 *   algorithm, without its stem filter), first match wins: what the index saves
 * - libselinux: selabel_lookup_raw per path in a C client (test/conformance/file-contexts-ref.c),
 *   after a warm-up pass (libselinux compiles each regex on first use), median of its passes
 *   (target: svirt at least as fast per lookup after load)
 *
 * Paths: 5,000 from the conformance corpus (instantiated from the specifications' own regexes,
 * libvirt's paths, home directories, edge cases; at most 160 bytes, no newline), each looked up as
 * a regular file.
 * Run: `npx tsx bench/matchpathcon.bench.ts [--json out.json] [--paths N]`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Bench } from 'tinybench';
import { FILE_TYPE_MODE } from '../src/labeling/file-type.js';
import { loadFileContexts } from '../src/labeling/load.js';
import { pathBytes, normalizeKey } from '../src/labeling/file-contexts.js';
import { translateFileContextRegex } from '../src/labeling/pcre-translate.js';
import { parseSpecFile } from '../src/labeling/spec-file.js';
import { modeOfTypeField } from '../src/labeling/file-type.js';
import { conformancePaths } from '../test/conformance/file-contexts-paths.js';
import { DEBIAN_FILE_CONTEXTS, DEBIAN_FILE_CONTEXTS_DIR, libselinuxMissing, referenceTiming } from '../test/conformance/file-contexts-ref.js';
import { flagValue, isMainModule } from './script.js';

export interface MatchpathconBenchResult {
  readonly name: string;
  /** median ns per lookup (per load for the load task: ms in `medianMs`) */
  readonly nsPerOp: number;
  readonly medianMs: number;
  readonly samples: number;
}

const META = /(^|[^\\])[.^$?*+|[({]/;

/** The specifications in libselinux's order, each a compiled RegExp: the naive peer. */
function naivePeer(): { readonly re: RegExp; readonly mode: number; readonly context: string }[] {
  const lines = ['file_contexts', 'file_contexts.homedirs'].flatMap((f) => parseSpecFile(readFileSync(`${DEBIAN_FILE_CONTEXTS_DIR}/${f}`, 'utf8'), f));
  const specs = lines.map((l) => {
    const t = translateFileContextRegex(l.regex);
    if (!t.ok) throw new Error(`untranslatable ${l.regex}`);
    return { re: new RegExp(t.value.source, 's'), mode: l.typeField ? (modeOfTypeField(l.typeField) ?? 0) : 0, context: l.context, meta: META.test(l.regex) };
  });
  return [...specs.filter((s) => s.meta), ...specs.filter((s) => !s.meta)];
}

export async function runMatchpathconBench(pathCount = 5000): Promise<MatchpathconBenchResult[]> {
  const missing = libselinuxMissing();
  if (missing || !existsSync(DEBIAN_FILE_CONTEXTS)) throw new Error(`matchpathcon bench needs Debian's file_contexts and libselinux: ${missing ?? ''}`);
  const regexes = parseSpecFile(readFileSync(DEBIAN_FILE_CONTEXTS, 'utf8'), 'file_contexts').map((l) => l.regex);
  // the common case: paths of ordinary length (the corpus's 1,200- and 5,000-byte edge cases left out)
  const paths = conformancePaths(regexes, pathCount * 2, 3).filter((p) => p.length <= 160 && !p.includes('\n')).slice(0, pathCount);
  const fc = loadFileContexts(DEBIAN_FILE_CONTEXTS_DIR);
  const naive = naivePeer();
  const fileMode = FILE_TYPE_MODE.file;
  let sink = 0;

  const bench = new Bench({ name: 'matchpathcon', time: 0, iterations: 7, warmupIterations: 2, retainSamples: true });
  bench.add('load Debian file_contexts (+homedirs, subs)', () => {
    sink += loadFileContexts(DEBIAN_FILE_CONTEXTS_DIR).size;
  });
  bench.add(`svirt lookup x${paths.length}`, () => {
    for (const p of paths) sink += fc.lookup(p, 'file')?.length ?? 0;
  });
  bench.add(`every regex in turn x${paths.length}`, () => {
    for (const p of paths) {
      const key = normalizeKey(pathBytes(p));
      for (let i = naive.length - 1; i >= 0; i--) {
        const s = naive[i]!;
        if (s.mode !== 0 && s.mode !== fileMode) continue;
        if (s.re.test(key)) {
          sink += s.context.length;
          break;
        }
      }
    }
  });
  await bench.run();
  if (sink < 0) throw new Error('unreachable');

  const perOp = [1, paths.length, paths.length];
  const results: MatchpathconBenchResult[] = bench.tasks.map((task, i) => {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`benchmark ${task.name} did not complete`);
    return { name: task.name, medianMs: r.latency.p50, nsPerOp: (r.latency.p50 * 1e6) / perOp[i]!, samples: r.latency.samplesCount };
  });
  const lib = referenceTiming(DEBIAN_FILE_CONTEXTS, paths.map((path) => ({ path, type: 'file' as const })), 7);
  results.push({ name: `libselinux selabel_lookup_raw x${paths.length}`, medianMs: (lib.nsPerLookup * paths.length) / 1e6, nsPerOp: lib.nsPerLookup, samples: 7 });
  results.push({ name: 'libselinux selabel_open (load)', medianMs: lib.loadMs, nsPerOp: lib.loadMs * 1e6, samples: 1 });
  return results;
}

function format(results: readonly MatchpathconBenchResult[]): string {
  const byName = (prefix: string): MatchpathconBenchResult => results.find((r) => r.name.startsWith(prefix))!;
  const ours = byName('svirt lookup');
  const rows = results.map((r) => `${r.name.padEnd(48)} ${r.medianMs.toFixed(2).padStart(9)} ms  ${r.nsPerOp.toFixed(0).padStart(12)} ns/op`);
  rows.push(`ratio every-regex / svirt per lookup: ${(byName('every regex').nsPerOp / ours.nsPerOp).toFixed(1)}x`);
  rows.push(`ratio libselinux / svirt per lookup:  ${(byName('libselinux selabel_lookup').nsPerOp / ours.nsPerOp).toFixed(1)}x`);
  rows.push(`machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}`);
  return `${rows.join('\n')}\n`;
}

if (isMainModule(import.meta.url)) {
  const n = flagValue('--paths');
  const results = await runMatchpathconBench(n ? Number(n) : undefined);
  process.stdout.write(format(results));
  const json = flagValue('--json');
  if (json) writeFileSync(json, JSON.stringify(results, null, 2));
}
