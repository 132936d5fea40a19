/**
 * Plumbing for the file_contexts conformance test and benchmark: build the small libselinux client
 * (file-contexts-ref.c) and run a batch of lookups through it in one process.
 * Nothing here decides a label; it only moves queries and answers.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FILE_TYPE_MODE, type FileTypeName } from '../../src/labeling/file-type.js';

export const DEBIAN_FILE_CONTEXTS_DIR = '/etc/selinux/default/contexts/files';
export const DEBIAN_FILE_CONTEXTS = join(DEBIAN_FILE_CONTEXTS_DIR, 'file_contexts');
export const FC_INSTALL_HINT = 'apt-get install selinux-policy-default libselinux1 gcc libc6-dev';

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, 'file-contexts-ref.c');
const ROOT = join(here, '..', '..');

/** Why libselinux's answers are unavailable here, or undefined when they are. */
export function libselinuxMissing(): string | undefined {
  if (!existsSync(DEBIAN_FILE_CONTEXTS)) return `${DEBIAN_FILE_CONTEXTS} is missing`;
  if (spawnSync('sh', ['-c', 'command -v gcc'], { stdio: 'ignore' }).status !== 0) return 'gcc is missing';
  try {
    buildReference();
  } catch (err) {
    return `cannot build the libselinux client: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
  return undefined;
}

/** Loud skip notice naming the packages. */
export function warnFcSkip(suite: string, reason: string): void {
  console.warn(`\n*** ${suite}: SKIPPED — ${reason}. Install with: ${FC_INSTALL_HINT} ***\n`);
}

/** Build (or reuse) the client; returns its path. Links the runtime libselinux.so.1 (no -dev package). */
export function buildReference(): string {
  const outDir = join(process.env['SVIRT_CACHE_DIR'] ?? join(ROOT, 'node_modules', '.cache', 'svirt'), 'conformance');
  const bin = join(outDir, 'file-contexts-ref');
  if (existsSync(bin) && statSync(bin).mtimeMs >= statSync(SOURCE).mtimeMs) return bin;
  mkdirSync(outDir, { recursive: true });
  const tmp = `${bin}.tmp.${process.pid}`;
  execFileSync('gcc', ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-o', tmp, SOURCE, '-l:libselinux.so.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  execFileSync('mv', ['-f', tmp, bin]);
  return bin;
}

export interface RefQuery {
  readonly path: string;
  readonly type: FileTypeName;
}

function encode(queries: readonly RefQuery[]): Buffer {
  return Buffer.concat(queries.map((q) => Buffer.from(`${FILE_TYPE_MODE[q.type]} ${q.path}\0`, 'utf8')));
}

/** libselinux's answer for each query: the context, `ERR:ENOENT`, or `ERR:<errno>`. */
export function referenceLookups(fileContexts: string, queries: readonly RefQuery[]): string[] {
  const r = spawnSync(buildReference(), [fileContexts, 'lookup'], { input: encode(queries), maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`file-contexts-ref failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.split('\n');
  lines.pop();
  if (lines.length !== queries.length) throw new Error(`file-contexts-ref answered ${lines.length} of ${queries.length} queries`);
  return lines;
}

/** As `referenceLookups`, split over one process per core (the answers in query order). */
export async function referenceLookupsParallel(fileContexts: string, queries: readonly RefQuery[]): Promise<string[]> {
  const bin = buildReference();
  const workers = Math.max(1, Math.min(4, availableParallelism()));
  const size = Math.ceil(queries.length / workers);
  const chunks = Array.from({ length: workers }, (_, w) => queries.slice(w * size, (w + 1) * size));
  const answers = await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise<string[]>((resolve, reject) => {
          const child = spawn(bin, [fileContexts, 'lookup'], { stdio: ['pipe', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.setEncoding('utf8').on('data', (d: string) => void (out += d));
          child.stderr.setEncoding('utf8').on('data', (d: string) => void (err += d));
          child.on('error', reject);
          child.on('close', (code) => {
            if (code !== 0) return reject(new Error(`file-contexts-ref failed (${code}): ${err}`));
            const lines = out.split('\n');
            lines.pop();
            if (lines.length !== chunk.length) return reject(new Error(`file-contexts-ref answered ${lines.length} of ${chunk.length} queries`));
            resolve(lines);
          });
          child.stdin.end(encode(chunk));
        }),
    ),
  );
  return answers.flat();
}

/** libselinux's median time per lookup over `rounds` passes (after a warm-up pass), and its load time. */
export function referenceTiming(fileContexts: string, queries: readonly RefQuery[], rounds: number): { nsPerLookup: number; loadMs: number } {
  const r = spawnSync(buildReference(), [fileContexts, 'bench', String(rounds)], { input: encode(queries), maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`file-contexts-ref failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { nsPerLookup: number; loadMs: number };
}
