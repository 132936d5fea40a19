/**
 * Shared `--policy FILE` and `--bool NAME=VALUE` handling for commands that load a policy.
 * Text or binary policy.NN is detected by content; no `--policy` means the embedded sVirt policy.
 */
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import type { PolicyModel } from '../policy/model.js';
import { loadEmbeddedPolicy, loadPolicyFile } from '../policy/load.js';

export interface PolicyOptions {
  policy?: string;
  bool: string[];
}

export function addPolicyOptions(cmd: Command, withBooleans = true): Command {
  cmd.option('--policy <file>', 'policy.conf text or binary policy.NN (default: the embedded sVirt policy)');
  if (withBooleans) {
    cmd.option('--bool <name=value>', 'set a boolean before the first query (repeatable)', collect, []);
  }
  return cmd;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function loadPolicyOption(path: string | undefined): PolicyModel {
  return path === undefined ? loadEmbeddedPolicy() : loadPolicyFile(path);
}

const TRUE_WORDS = new Set(['1', 'true', 'on', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'off', 'no']);

/** `NAME=VALUE` pairs → boolean overrides; VALUE is 1/0, true/false, on/off or yes/no. */
export function parseBoolAssignments(assignments: readonly string[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : '';
    const value = eq > 0 ? a.slice(eq + 1).toLowerCase() : '';
    if (name === '' || !(TRUE_WORDS.has(value) || FALSE_WORDS.has(value))) {
      throw usageError(`--bool expects NAME=VALUE with VALUE 1/0, true/false, on/off: got "${a}"`);
    }
    out[name] = TRUE_WORDS.has(value);
  }
  return out;
}
