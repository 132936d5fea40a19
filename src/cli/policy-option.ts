/**
 * Shared `--policy FILE` and `--bool NAME=VALUE` handling for commands that load a policy.
 * Text or binary policy.NN is detected by content; no `--policy` means the embedded sVirt policy.
 */
import type { Command } from 'commander';
import type { PolicyModel } from '../policy/model.js';
import { loadEmbeddedPolicy, loadPolicyFile } from '../policy/load.js';

export { parseBoolAssignments } from '../security/bool-assignments.js';

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
