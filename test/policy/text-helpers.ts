/**
 * Shared helpers for the policy-text tests: compile snippets, generate Debian's policy.conf with
 * checkpolicy, and normalise a model to names so two models with different value numbering can be
 * compared.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy } from '../../src/policy/compiler.js';
import { Diagnostics } from '../../src/policy/compile/diagnostics.js';
import { SourceText } from '../../src/policy/lexer.js';
import { parsePolicy } from '../../src/policy/parser.js';
import { PolicySyntaxError } from '../../src/errors.js';
import type { PolicyModel } from '../../src/policy/model.js';

export const DEBIAN_BINARY = '/etc/selinux/default/policy/policy.33';
export const INSTALL_HINT = 'apt-get install selinux-policy-default checkpolicy libsepol-dev';

/** A minimal non-MLS preamble: classes file/dir/process and one SID. */
export const PREAMBLE = `class process
class file
class dir
sid kernel
common fileish { read write getattr }
class process { transition signal }
class file inherits fileish { execute }
class dir inherits fileish { search }
`;

/**
 * Compile a policy FRAGMENT: parse and compile as compilePolicyText does, but without the check
 * that every section checkpolicy's grammar requires is present and in order (compile/sections.ts,
 * tested in text-sections.test.ts). The snippets here test one statement kind at a time. Loading a
 * policy (parsePolicyText, loadPolicyFile) always applies the section check.
 */
export function compile(text: string, file = 'test.conf'): PolicyModel {
  const source = new SourceText(text, file);
  const diags = new Diagnostics(source);
  const model = compilePolicy(parsePolicy(text, diags), source, diags);
  diags.throwIfAny();
  return model;
}

/** Compile a fragment and return the diagnostics' text (`file:line:col: error: …` lines); fails if it compiles. */
export function diagnosticsOf(text: string, file = 'test.conf'): string[] {
  try {
    compile(text, file);
  } catch (e) {
    if (e instanceof PolicySyntaxError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected the policy to be rejected');
}

export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** `checkpolicy -M -b policy.33 -F -o DIR/debian.conf`, or undefined (with a loud warning). */
export function generateDebianConf(): string | undefined {
  if (!existsSync(DEBIAN_BINARY) || !hasTool('checkpolicy')) {
    console.warn(`\n*** SKIPPED: Debian policy or checkpolicy missing. Install with: ${INSTALL_HINT} ***\n`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'svirt-h1-'));
  const out = join(dir, 'debian.conf');
  execFileSync('checkpolicy', ['-M', '-b', DEBIAN_BINARY, '-F', '-o', out], { stdio: 'pipe' });
  return out;
}

export function typeName(m: PolicyModel, v: number): string {
  return m.types[v - 1]!.name;
}

export function typeByName(m: PolicyModel, name: string): number {
  const t = m.types.find((x) => x.name === name || x.aliases.includes(name));
  if (!t) throw new Error(`no type ${name}`);
  return t.value;
}

export function classByName(m: PolicyModel, name: string): number {
  const c = m.classes.find((x) => x.name === name);
  if (!c) throw new Error(`no class ${name}`);
  return c.value;
}

/** permission names of a mask in class `tclass` (only declared permissions) */
export function permNames(m: PolicyModel, tclass: number, mask: number): string[] {
  const perms = m.classes[tclass - 1]!.perms;
  return perms.filter((_, i) => ((mask >>> i) & 1) === 1).sort();
}

/** avtab as sorted name strings `spec src tgt:class {perms}` (data limited to declared perms) */
export function avtabNames(m: PolicyModel, entries = m.avtab): string[] {
  return entries
    .map((e) => `${e.specified} ${typeName(m, e.source)} ${typeName(m, e.target)}:${m.classes[e.tclass - 1]!.name} {${permNames(m, e.tclass, e.data).join(' ')}}`)
    .sort();
}
