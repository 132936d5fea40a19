/**
 * Running the svirt CLI against hostile input: in-process (test/support/cli.ts) for fast cases, or
 * as a child process (`node dist/src/cli/main.js`) with a hard timeout and a capped heap for inputs
 * that could hang or exhaust memory, so a regression shows up as a recorded `hang` or `crash`
 * instead of taking the test process down.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { svirt, svirtWithStdin, type CliResult } from '../support/cli.js';
import { isOneLine, looksLikeStackTrace, record, type Outcome } from './tally.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** The built CLI exists (`npx tsc -p tsconfig.json`; `npm test` builds it first). */
export const HAVE_DIST = existsSync(CLI_MAIN);

export interface SpawnResult extends CliResult {
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

export interface SpawnOptions {
  /** hard bound; the child is SIGKILLed after it (default 15 s) */
  timeoutMs?: number;
  /** V8 heap cap in MiB (default 512): a run that tries to hold an unbounded input dies instead */
  heapMiB?: number;
  stdin?: string;
}

/** `node dist/src/cli/main.js ...argv` with a timeout and a heap cap. */
export function spawnCli(argv: readonly string[], options: SpawnOptions = {}): Promise<SpawnResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${options.heapMiB ?? 512}`, CLI_MAIN, ...argv], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      if (out.length < 1 << 20) out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 1 << 20) err += d.toString();
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, out, err, timedOut });
    });
  });
}

/** What a CLI run on a hostile input amounts to (a refusal must be exit 2 with one bounded line). */
export function classifyCli(r: CliResult & { signal?: NodeJS.Signals | null; timedOut?: boolean }): Outcome {
  if (r.timedOut) return 'hang';
  if (r.signal) return 'crash';
  if (looksLikeStackTrace(r.err) || looksLikeStackTrace(r.out)) return 'crash';
  if (r.code === 2 && errorLineOk(r.err)) return 'ok-refused';
  return 'bad-error';
}

/**
 * The longest acceptable error line: a message may quote the input twice (whole context, faulty
 * part), each quote ≤ 80 characters that escape to at most 6 (`\uXXXX`), plus its own words.
 */
export const MAX_ERROR_LINE = 1200;

/** stderr holds exactly one line of bounded length, without raw control characters. */
export function errorLineOk(err: string): boolean {
  if (!err.endsWith('\n')) return false;
  const body = err.slice(0, -1);
  return isOneLine(body, MAX_ERROR_LINE) && !body.includes('\n');
}

/**
 * Record and assert: the CLI refused the hostile input with exit 2 and one bounded line. `hostile`
 * (optional) is the input text: no run of more than ~80 of its characters may be echoed.
 */
export function expectRefused(suite: string, what: string, r: SpawnResult | CliResult, hostile?: string): void {
  const outcome = classifyCli(r);
  record(suite, outcome, what);
  const shown = `${what}: exit ${r.code}${'timedOut' in r && r.timedOut ? ' (timed out)' : ''}, stderr ${JSON.stringify(r.err.slice(0, 600))}`;
  expect(outcome, shown).toBe('ok-refused');
  if (hostile !== undefined && hostile.length > 100) {
    // the longest echoed piece of the input: any 100-character window of it appearing is too much
    for (let i = 0; i + 100 <= Math.min(hostile.length, 4000); i += 50) {
      expect(r.err.includes(hostile.slice(i, i + 100)), `${what}: error echoes more than ~80 characters of input`).toBe(false);
    }
  }
}

export { svirt, svirtWithStdin };
