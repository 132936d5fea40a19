/**
 * Differential mutation fuzz: "loads or not", svirt against libsepol and checkpolicy.
 *
 * Seeded mutants (test/conformance/mutate.ts) of real policies — Debian's policy.33 and binaries
 * checkpolicy compiles from the embedded policy and a test fixture; the embedded policy.conf, a
 * fixture and a small hand-written policy as text — are offered to both sides:
 *   binary: libsepol's policydb_read (+ validate_policydb), through sepol-load.c, vs readBinaryPolicy
 *   text:   `checkpolicy [-M] -o /dev/null FILE` (-M when the mutant declares sensitivities, since
 *           svirt infers MLS from them) vs parsePolicyText
 * Every mutant the reference refuses must be refused by svirt with a typed error
 * (BinaryPolicyError / PolicySyntaxError / SvirtError), and every mutant it accepts must load.
 * Any divergence fails the test with the mutant's description, except the few refusals listed in
 * KNOWN_REFUSALS (svirt refuses what libsepol 3.4 accepts, each with its reason). A mutant the
 * reference refuses and svirt loads is never excused. Counts are printed.
 *
 * Bounded: a fixed number of mutants per seed (a few hundred in all), fixed seeds. For a deeper
 * local run, SVIRT_MUTATION_SCALE=N multiplies every count (and varies the seeds with N).
 * Skips loudly without Debian's packages (selinux-policy-default, checkpolicy, libsepol-dev, gcc).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BinaryPolicyError, PolicySyntaxError, SvirtError } from '../../src/errors.js';
import { readBinaryPolicy } from '../../src/policy/binary.js';
import { parsePolicyText } from '../../src/policy/load.js';
import { binaryMutator, textMutator, type Mutant } from './mutate.js';
import { DEBIAN_POLICY, EMBEDDED_CONF, REPO_ROOT, buildHarness, compilePolicy, debianMissing, tempDir, warnSkip } from './sepol.js';

const missing = debianMissing();
if (missing) warnSkip('mutation-fuzz (svirt vs libsepol/checkpolicy: loads or not)', missing);

const FIXTURE_CONF = join(REPO_ROOT, 'test', 'policy', 'fixtures', 'binary-mini.conf');
const ALL_STATEMENTS_CONF = join(REPO_ROOT, 'test', 'policy', 'fixtures', 'text-allstatements.conf');

/** A small non-MLS policy with every mandatory section and a little of each optional one. */
const SMALL_CONF = `class process
class file
sid kernel
sid security
common file { read write getattr }
class process { transition signal }
class file inherits file { execute }
type kernel_t;
type file_t;
attribute domain;
typeattribute kernel_t domain;
role system_r;
role system_r types kernel_t;
bool secure_mode false;
allow domain file_t:file { read getattr };
allow kernel_t self:process signal;
type_transition kernel_t file_t:file kernel_t;
if (secure_mode) { allow kernel_t file_t:file write; } else { dontaudit kernel_t file_t:file execute; }
user system_u roles system_r;
constrain file { write } (u1 == u2 or t1 == domain);
sid kernel system_u:system_r:kernel_t
sid security system_u:object_r:file_t
fs_use_xattr ext4 system_u:object_r:file_t;
genfscon proc / system_u:object_r:file_t
portcon tcp 22 system_u:object_r:file_t
`;

/**
 * Binary policies svirt refuses although libsepol 3.4's policydb_read accepts them, and why.
 * Matched against svirt's error message; every match is counted and printed.
 */
const KNOWN_REFUSALS: ReadonlyArray<{ readonly pattern: RegExp; readonly reason: string }> = [
  {
    pattern: /range transition: invalid range/,
    reason: 'the kernel refuses it (K ss/policydb.c range_read: mls_range_isvalid), and so does libsepol >= 3.5',
  },
  {
    pattern: /initial SID number 0/,
    reason: 'the kernel refuses it (K ss/policydb.c policydb_load_isids: "SID 0 was assigned a context")',
  },
  {
    pattern: /(categories|sensitivities): value \d+ has no record|values declared but only \d+ record|names (category|sensitivity) \d+, which has no record/,
    reason: 'a category or sensitivity value without a name: the model holds dense value arrays, and the kernel would print such a level through a NULL name',
  },
  {
    pattern: /permission: value \d+ used by two records|permissions: value \d+ has no record/,
    reason: 'two permission names for one bit, or a bit without a name: the model holds one name per bit',
  },
];

/** multiplies the mutant counts and perturbs the seeds; 1 in CI */
const SCALE = Math.max(1, Math.floor(Number(process.env.SVIRT_MUTATION_SCALE ?? '1')) || 1);

type Verdict = 'ok' | 'refused';

interface Tally {
  mutants: number;
  bothRefused: number;
  bothLoaded: number;
  /** svirt refused, the reference loaded, for a reason in KNOWN_REFUSALS */
  known: string[];
  divergences: string[];
}

function newTally(): Tally {
  return { mutants: 0, bothRefused: 0, bothLoaded: 0, known: [], divergences: [] };
}

function record(t: Tally, label: string, m: Mutant<unknown>, reference: string, ours: Verdict, detail: string): void {
  t.mutants++;
  if (reference === ours) {
    if (ours === 'ok') t.bothLoaded++;
    else t.bothRefused++;
    return;
  }
  const line = `[${label}] ${m.what}: reference ${reference}, svirt ${ours}${detail ? ` (${detail})` : ''}`;
  const excused = reference === 'ok' && !/^(UNTYPED|READER BUG)/.test(detail) && KNOWN_REFUSALS.some((k) => k.pattern.test(detail));
  (excused ? t.known : t.divergences).push(line);
}

/** svirt's verdict; anything but a model or a typed error is itself a divergence. */
function ours(load: () => unknown, typed: (e: unknown) => boolean): { verdict: Verdict; detail: string } {
  try {
    load();
    return { verdict: 'ok', detail: '' };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    if (!typed(e)) return { verdict: 'refused', detail: `UNTYPED ${String(e)}` };
    if (/internal reader error/.test(msg)) return { verdict: 'refused', detail: `READER BUG ${msg}` };
    return { verdict: 'refused', detail: msg.slice(0, 200) };
  }
}

function report(title: string, t: Tally): void {
  const list = (xs: string[]): string => (xs.length ? `\n  ${xs.slice(0, 40).join('\n  ')}` : '');
  console.log(
    `${title}: mutants ${t.mutants}, both refused ${t.bothRefused}, both loaded ${t.bothLoaded}, ` +
      `known svirt-only refusals ${t.known.length}, divergences ${t.divergences.length}${list(t.known)}${list(t.divergences)}`,
  );
}

function add(total: Tally, t: Tally): void {
  total.mutants += t.mutants;
  total.bothRefused += t.bothRefused;
  total.bothLoaded += t.bothLoaded;
  total.known.push(...t.known);
  total.divergences.push(...t.divergences);
}

const BINARY_SEEDS: Array<{ name: string; count: number; seed: number; bytes: () => Uint8Array }> = [
  { name: 'policy.33 (Debian)', count: 40, seed: 11, bytes: () => new Uint8Array(readFileSync(DEBIAN_POLICY)) },
  { name: 'svirt.conf compiled', count: 120, seed: 12, bytes: () => new Uint8Array(readFileSync(compilePolicy(EMBEDDED_CONF, dir(), 'svirt'))) },
  { name: 'binary-mini.conf compiled', count: 120, seed: 13, bytes: () => new Uint8Array(readFileSync(compilePolicy(FIXTURE_CONF, dir(), 'mini'))) },
];

const TEXT_SEEDS: Array<{ name: string; count: number; seed: number; text: () => string }> = [
  { name: 'svirt.conf', count: 40, seed: 21, text: () => readFileSync(EMBEDDED_CONF, 'utf8') },
  { name: 'text-allstatements.conf', count: 40, seed: 22, text: () => readFileSync(ALL_STATEMENTS_CONF, 'utf8') },
  { name: 'small hand-written', count: 40, seed: 23, text: () => SMALL_CONF },
];

let tmp: string | undefined;
function dir(): string {
  tmp ??= tempDir('svirt-mutation-');
  return tmp;
}

function sepolLoader(): string {
  return join(buildHarness(), '..', 'sepol-load');
}

/** libsepol's verdicts for the files, in order (one sepol-load process, one fork per file). */
function sepolVerdicts(loader: string, paths: readonly string[]): string[] {
  const res = spawnSync(loader, [], { input: `${paths.join('\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (res.status !== 0) throw new Error(`sepol-load failed (${res.status}): ${res.stderr}`);
  return res.stdout.trim().split('\n');
}

function checkpolicyVerdict(path: string, text: string): Promise<string> {
  const args = /^\s*sensitivity\s/m.test(text) ? ['-M', '-o', '/dev/null', path] : ['-o', '/dev/null', path];
  return new Promise((resolve, reject) => {
    const child = spawn('checkpolicy', args, { stdio: 'ignore', timeout: 30_000 });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(signal ? `crash ${signal}` : code === 0 ? 'ok' : 'refused'));
  });
}

/** checkpolicy over all files, two at a time (the test machines have two cores). */
async function checkpolicyVerdicts(files: ReadonlyArray<{ path: string; text: string }>): Promise<string[]> {
  const out: string[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      out[i] = await checkpolicyVerdict(files[i]!.path, files[i]!.text);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

describe.skipIf(missing !== undefined)('mutation fuzz: loads or not, svirt vs libsepol/checkpolicy', () => {
  it('binary mutants: libsepol policydb_read refuses ⇔ readBinaryPolicy refuses', () => {
    const loader = sepolLoader();
    const total = newTally();
    for (const s of BINARY_SEEDS) {
      const src = s.bytes();
      const next = binaryMutator(src, s.seed * SCALE);
      const mutants: Array<Mutant<Uint8Array>> = [];
      const paths: string[] = [];
      for (let i = 0; i < s.count * SCALE; i++) {
        const m = next();
        const path = join(dir(), `bin-${s.seed}-${i}`);
        writeFileSync(path, m.data);
        mutants.push(m);
        paths.push(path);
      }
      const ref = sepolVerdicts(loader, paths);
      expect(ref.length).toBe(mutants.length);
      const t = newTally();
      mutants.forEach((m, i) => {
        const o = ours(() => readBinaryPolicy(m.data), (e) => e instanceof BinaryPolicyError);
        record(t, `${s.name} #${i}`, m, ref[i]!, o.verdict, o.detail);
      });
      report(`binary ${s.name}`, t);
      add(total, t);
    }
    report('binary total', total);
    expect(total.bothRefused).toBeGreaterThan(total.mutants / 4);
    expect(total.divergences).toEqual([]);
  }, 120_000 * SCALE);

  it('text mutants: checkpolicy refuses ⇔ parsePolicyText refuses', async () => {
    const total = newTally();
    for (const s of TEXT_SEEDS) {
      const src = s.text();
      const next = textMutator(src, s.seed * SCALE);
      const t = newTally();
      const files: Array<{ path: string; text: string; m: Mutant<string> }> = [];
      for (let i = 0; i < s.count * SCALE; i++) {
        const m = next();
        const path = join(dir(), `text-${s.seed}-${i}.conf`);
        writeFileSync(path, m.data);
        files.push({ path, text: m.data, m });
      }
      const refs = await checkpolicyVerdicts(files);
      files.forEach(({ path, m }, i) => {
        const o = ours(() => parsePolicyText(m.data, path), (e) => e instanceof PolicySyntaxError || e instanceof SvirtError);
        record(t, `${s.name} #${i}`, m, refs[i]!, o.verdict, o.detail);
      });
      report(`text ${s.name}`, t);
      add(total, t);
    }
    report('text total', total);
    expect(total.bothRefused).toBeGreaterThan(total.mutants / 4);
    expect(total.divergences).toEqual([]);
  }, 120_000 * SCALE);
});
