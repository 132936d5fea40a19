/**
 * Conformance: svirt's file contexts against libselinux's selabel_lookup (the function behind
 * matchpathcon and restorecon) on Debian's /etc/selinux/default/contexts/files, for 20,000 paths
 * in every file-type mode. Required: every answer equal. libselinux reports a `<<none>>`
 * specification and "no match" both as ENOENT, so ours must be `<<none>>` or null exactly there.
 * Skips loudly (naming the packages) when Debian's policy, gcc or libselinux is missing.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { run } from '../../src/cli/run.js';
import type { CliIO } from '../../src/cli/io.js';
import { FILE_TYPE_MODE, type FileTypeName } from '../../src/labeling/file-type.js';
import { loadFileContexts } from '../../src/labeling/load.js';
import { parseSpecFile } from '../../src/labeling/spec-file.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { conformancePaths } from './file-contexts-paths.js';
import { DEBIAN_FILE_CONTEXTS, DEBIAN_FILE_CONTEXTS_DIR, libselinuxMissing, referenceLookups, referenceLookupsParallel, warnFcSkip, type RefQuery } from './file-contexts-ref.js';
import { DEBIAN_POLICY } from './sepol.js';

const missing = libselinuxMissing();
if (missing) warnFcSkip('file_contexts conformance', missing);

const MODES = Object.keys(FILE_TYPE_MODE) as FileTypeName[];
const PATHS = 20_000;

function ours(lookup: () => string | null): string {
  try {
    return lookup() ?? 'ERR:ENOENT';
  } catch {
    return 'ERR:EINVAL';
  }
}

describe.skipIf(missing !== undefined)('file_contexts: svirt vs libselinux selabel_lookup on Debian', () => {
  it(`agrees on ${PATHS} paths × ${MODES.length} modes`, async () => {
    const regexes = ['file_contexts', 'file_contexts.homedirs'].flatMap((f) =>
      parseSpecFile(readFileSync(`${DEBIAN_FILE_CONTEXTS_DIR}/${f}`, 'utf8'), f).map((l) => l.regex),
    );
    const paths = conformancePaths(regexes, PATHS);
    expect(paths).toHaveLength(PATHS);
    paths.push(''); // EINVAL in both
    const queries: RefQuery[] = paths.flatMap((path) => MODES.map((type) => ({ path, type })));
    const expected = await referenceLookupsParallel(DEBIAN_FILE_CONTEXTS, queries);

    const fc = loadFileContexts(DEBIAN_FILE_CONTEXTS_DIR);
    const mismatches: string[] = [];
    let noneSeen = 0;
    let contexts = 0;
    queries.forEach((q, i) => {
      const got = ours(() => fc.lookup(q.path, q.type));
      if (got === '<<none>>') noneSeen++;
      else if (!got.startsWith('ERR:')) contexts++;
      const comparable = got === '<<none>>' ? 'ERR:ENOENT' : got;
      if (comparable !== expected[i]) mismatches.push(`${JSON.stringify(q.path)} ${q.type}: svirt ${got}, libselinux ${expected[i]}`);
    });
    expect(mismatches.slice(0, 20)).toEqual([]);
    // the corpus exercises all three outcomes
    expect(noneSeen).toBeGreaterThan(1000);
    expect(contexts).toBeGreaterThan(100_000);
    expect(expected.filter((e) => e === 'ERR:ENOENT').length).toBeGreaterThan(noneSeen);
  }, 120_000);

  it('svirt matchpathcon --batch gives the library answers (paths without newlines)', async () => {
    const fc = loadFileContexts(DEBIAN_FILE_CONTEXTS_DIR);
    const regexes = parseSpecFile(readFileSync(DEBIAN_FILE_CONTEXTS, 'utf8'), 'file_contexts').map((l) => l.regex);
    const paths = conformancePaths(regexes, 3000, 5).filter((p) => !/[\n\r\t\v\f]/.test(p) && p.trim() === p && !p.startsWith('#'));
    const queries = paths.flatMap((path) => MODES.map((type) => ({ path, type })));
    const expected = referenceLookups(DEBIAN_FILE_CONTEXTS, queries);
    let out = '';
    const io: CliIO = { stdout: (t) => void (out += t), stderr: () => undefined, readStdin: async () => queries.map((q) => `${q.path} ${q.type}`).join('\n'), stderrIsTTY: false };
    const code = await run(['matchpathcon', '--no-validate', '--file-contexts', DEBIAN_FILE_CONTEXTS_DIR, '--batch', '-'], io);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(queries.length);
    const bad = lines.filter((line, i) => {
      const last = line.slice(line.lastIndexOf('\t') + 1);
      const lib = fc.lookup(queries[i]!.path, queries[i]!.type) ?? 'ERR:ENOENT';
      return last !== lib || (last === '<<none>>' ? 'ERR:ENOENT' : last) !== expected[i];
    });
    expect(bad.slice(0, 10)).toEqual([]);
  }, 60_000);

  it('every Debian context is valid in Debian policy (loading with validation succeeds)', () => {
    const policy = loadPolicyFile(DEBIAN_POLICY);
    const fc = loadFileContexts(DEBIAN_FILE_CONTEXTS_DIR, { policy });
    expect(fc.lookup('/var/lib/libvirt/images/a.qcow2', 'file')).toBe('system_u:object_r:virt_image_t:s0');
  }, 60_000);
});

const MATCHPATHCON = '/usr/sbin/matchpathcon';
const noTool = existsSync(MATCHPATHCON) && !missing ? undefined : `${MATCHPATHCON} (selinux-utils) is missing`;
if (noTool) console.warn(`\n*** matchpathcon output format: SKIPPED — ${noTool}. Install with: apt-get install selinux-utils selinux-policy-default ***\n`);

describe.skipIf(noTool !== undefined)('svirt matchpathcon prints what matchpathcon prints', () => {
  it('same lines for the same paths and modes (trailing /, <<none>>, no match)', async () => {
    const paths = ['/etc/passwd', '/var/lib/libvirt/images/', '/var/lib/libvirt/images/g.qcow2', '/tmp/x', 'relative', '//usr//bin/ls', '/run/lock', '/home/alice/.ssh/id_rsa'];
    for (const [mode, letter] of [['file', 'f'], ['dir', 'd'], ['chr', 'c']] as const) {
      const real = execFileSync(MATCHPATHCON, ['-N', '-f', DEBIAN_FILE_CONTEXTS, '-m', letter, ...paths], { encoding: 'utf8' });
      let out = '';
      const io: CliIO = { stdout: (t) => void (out += t), stderr: () => undefined, readStdin: async () => '', stderrIsTTY: false };
      const code = await run(['matchpathcon', '--no-validate', '--file-contexts', DEBIAN_FILE_CONTEXTS, '-m', mode, ...paths], io);
      expect(code).toBe(0);
      expect(out).toBe(real);
    }
  }, 30_000);
});
