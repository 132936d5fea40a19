/**
 * Fuzzed policies (seeded): mutated policy.conf text (the embedded policy) and mutated binary
 * policies (the minimal builder policy) → loads or a typed error; never a crash; never a hang. Each
 * case runs in a child process with a hard per-case time bound: on a timeout the child is killed,
 * the case recorded as `hang`, and a fresh child takes the next case.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedPolicyPath } from '../../src/policy/load.js';
import { buildMinimalPolicy } from '../policy/binary-builder.js';
import { mutatedBytes, mutatedText } from './mutate.js';
import { record, type Outcome } from './tally.js';

const SUITE = 'fuzz-policy';
const CHILD = fileURLToPath(new URL('./children/policy-loader.ts', import.meta.url));
const CASE_MS = 5_000;

class Loader {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private next = 0;

  private spawn(): Promise<void> {
    const child = fork(CHILD, [], { execArgv: ['--import', 'tsx', '--max-old-space-size=512'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.stderr!.resume();
    this.child = child;
    this.ready = new Promise((resolve) => child.once('message', () => resolve()));
    return this.ready;
  }

  async load(kind: 'text' | 'binary', data: Uint8Array): Promise<{ outcome: Outcome; detail: string }> {
    if (!this.child) await this.spawn();
    await this.ready;
    const child = this.child!;
    const id = this.next++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.removeAllListeners('message');
        child.kill('SIGKILL');
        this.child = undefined;
        resolve({ outcome: 'hang', detail: `no answer in ${CASE_MS} ms` });
      }, CASE_MS);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        resolve({ outcome: 'crash', detail: `loader died: ${code ?? signal}` });
      });
      child.on('message', (m: { id: number; outcome: Outcome; detail: string }) => {
        if (m.id !== id) return;
        clearTimeout(timer);
        child.removeAllListeners('message');
        child.removeAllListeners('exit');
        resolve({ outcome: m.outcome, detail: m.detail });
      });
      child.send({ id, kind, data: Buffer.from(data).toString('base64') });
    });
  }

  close(): void {
    this.child?.kill('SIGKILL');
  }
}

const loader = new Loader();
afterAll(() => loader.close());

const TEXT_SNIPPETS = ['{', '}', ';', '(', ')', 'allow ', 'type ', 'attribute ', 'class file', 'sid kernel', 'not ', '~', '*', '-', 's0', 'c1023', 'c1024', 'self', '\0', '#', 'if (', 'mlsconstrain file { read } (l1 dom l2);', 'typeattribute ', 'common file { read }'];

describe('fuzzed policies', () => {
  it('mutated policy.conf text: loads or a typed error, bounded (seeded)', async () => {
    const base = readFileSync(embeddedPolicyPath(), 'utf8');
    await fc.assert(
      fc.asyncProperty(mutatedText(base, TEXT_SNIPPETS), async (text) => {
        const r = await loader.load('text', new TextEncoder().encode(text));
        record(SUITE, r.outcome, `text: ${r.detail}`);
        expect(['ok', 'ok-refused'], r.detail).toContain(r.outcome);
      }),
      { seed: 0x15f0, numRuns: 30 },
    );
  });

  it('mutated binary policy: loads or a typed error, bounded (seeded)', async () => {
    const base = buildMinimalPolicy().bytes;
    await fc.assert(
      fc.asyncProperty(mutatedBytes(base), async (bytes) => {
        const r = await loader.load('binary', bytes);
        record(SUITE, r.outcome, `binary: ${r.detail}`);
        expect(['ok', 'ok-refused'], r.detail).toContain(r.outcome);
      }),
      { seed: 0x15f1, numRuns: 300 },
    );
  });
});
