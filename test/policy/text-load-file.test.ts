import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasTool } from './text-helpers.js';
import { embeddedPolicyPath, loadEmbeddedPolicy, loadPolicyFile, packageRoot, parsePolicyText } from '../../src/policy/load.js';
import { SvirtError } from '../../src/errors.js';

/** the smallest policy checkpolicy accepts: one of each mandatory section */
const MINIMAL = 'class c\nsid k\nclass c { p }\ntype t;\nrole r;\nrole r types t;\nuser u roles r;\nsid k u:r:t\n';
const FIXTURE = fileURLToPath(new URL('./fixtures/text-allstatements.conf', import.meta.url));

describe('load.ts', () => {
  it('finds the package root', () => {
    expect(existsSync(join(packageRoot(), 'package.json'))).toBe(true);
  });

  it('loads a text policy file; the handleUnknown option overrides the header', () => {
    expect(loadPolicyFile(FIXTURE).handleUnknown).toBe('reject');
    expect(loadPolicyFile(FIXTURE, { handleUnknown: 'allow' }).handleUnknown).toBe('allow');
    expect(parsePolicyText(MINIMAL).handleUnknown).toBe('deny');
  });

  it('reports a missing file as E_IO', () => {
    expect(() => loadPolicyFile('/nonexistent/policy.conf')).toThrow(SvirtError);
    try {
      loadPolicyFile('/nonexistent/policy.conf');
    } catch (e) {
      expect((e as SvirtError).code).toBe('E_IO');
    }
  });

  it.skipIf(!hasTool('checkpolicy'))('detects a binary policy by its magic and reads it with the binary reader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svirt-h1-load-'));
    const bin = join(dir, 'policy.33');
    execFileSync('checkpolicy', ['-M', '-c', '33', '-o', bin, FIXTURE], { stdio: 'pipe' });
    const m = loadPolicyFile(bin);
    expect(m.policyVersion).toBe(33);
    expect(m.classes.map((c) => c.name)).toEqual(['process', 'file', 'dir', 'tcp_socket']);
  });

  it('loads text that merely starts with other bytes as text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svirt-h1-load-'));
    const p = join(dir, 'x.conf');
    writeFileSync(p, MINIMAL);
    expect(loadPolicyFile(p).classes.length).toBe(1);
  });

  it.skipIf(!existsSync(embeddedPolicyPath()))('parses the embedded policy once and caches it', () => {
    const a = loadEmbeddedPolicy();
    expect(loadEmbeddedPolicy()).toBe(a);
    expect(a.types.some((t) => t.name === 'svirt_t')).toBe(true);
  });
});
