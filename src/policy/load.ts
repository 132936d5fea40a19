/**
 * Loading policies: text (policy.conf as `checkpolicy -F` writes it) or binary (policy.NN), and the
 * embedded sVirt policy shipped in `policies/svirt.conf`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ioError } from '../errors.js';
import { readBinaryInput } from '../io/input.js';
import { readBinaryPolicy } from './binary.js';
import { compilePolicyText } from './compiler.js';
import type { HandleUnknown, PolicyModel } from './model.js';

export interface LoadOptions {
  /**
   * handle_unknown for text policies. Default: the `# handle_unknown X` header comment that
   * `checkpolicy -F` writes, else `deny` (checkpolicy's default). Binary policies carry their own.
   */
  readonly handleUnknown?: HandleUnknown;
}

/** SELinux binary policy magic (S include/sepol/policydb/policydb.h POLICYDB_MAGIC), little-endian. */
const POLICYDB_MAGIC = 0xf97cff8c;

/**
 * Parse and compile a policy text. Throws PolicySyntaxError with ALL diagnostics, or SvirtError
 * E_POLICY_UNSUPPORTED (more than 1024 categories).
 */
export function parsePolicyText(text: string, file = '<policy>', options?: LoadOptions): PolicyModel {
  return compilePolicyText(text, file, options?.handleUnknown ? { handleUnknown: options.handleUnknown } : {});
}

/** Reads a policy file; binary when it starts with the policydb magic, text otherwise. */
export function loadPolicyFile(path: string, options?: LoadOptions): PolicyModel {
  const bytes = readBinaryInput(path, 'policy');
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === POLICYDB_MAGIC) {
    return readBinaryPolicy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), path);
  }
  return parsePolicyText(bytes.toString('utf8'), path, options);
}

let embedded: PolicyModel | undefined;

/**
 * The embedded default sVirt policy (policies/svirt.conf), parsed once per process. The returned
 * model is shared: treat it as read-only.
 */
export function loadEmbeddedPolicy(): PolicyModel {
  embedded ??= loadPolicyFile(embeddedPolicyPath());
  return embedded;
}

export function embeddedPolicyPath(): string {
  return join(packageRoot(), 'policies', 'svirt.conf');
}

let root: string | undefined;

/**
 * The directory holding svirt's package.json, found by walking up from this module (works from
 * src/ under vitest/tsx and from dist/src/ after the build).
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw ioError(fileURLToPath(import.meta.url), new Error('package.json not found above this module'));
    dir = up;
  }
}
