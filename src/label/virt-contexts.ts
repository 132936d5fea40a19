/**
 * The base labels of the SELinux driver, read from a policy's contexts directory as libvirt's
 * virSecuritySELinuxQEMUInitialize reads them (libvirt src/security/security_selinux.c):
 *
 * - `virtual_domain_context`: the first line is the domain (process) base label; a second,
 *   non-empty line is the alternative base for TCG guests (`<domain type='qemu'>`). Anything
 *   after the second line is ignored.
 * - `virtual_image_context`: the first line is the image base label, the second the content label
 *   (read-only disks, backing layers). Anything after the second line is ignored.
 *
 * libvirt reads each file whole with a size cap (virFileReadAll: 1024 bytes for the domain file,
 * 2048 for the image file) and fails when it is larger; so does this reader (E_LIMIT). A file
 * that is absent leaves the embedded defaults (selinux.ts SELINUX_DEFAULTS) in place, as does an
 * absent second line; libvirt itself then starts TCG guests with the domain label (warning once)
 * and has no content label. The labels are validated later, at use, against the loaded policy.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { labelError, quoteInput } from '../errors.js';
import { packageRoot } from '../policy/load.js';
import { readRegularFile } from '../io/input.js';
import type { SelinuxDriverOptions } from './selinux.js';

/** libvirt MAX_CONTEXT: the cap on virtual_domain_context; twice that on virtual_image_context. */
export const VIRT_CONTEXT_FILE_MAX = 1024;

export type VirtualContexts = Pick<SelinuxDriverOptions, 'domainContext' | 'altDomainContext' | 'fileContext' | 'contentContext'>;

/** The first two lines of a context file's text (libvirt: cut at the first and second '\n'). */
function twoLines(text: string): [string, string | undefined] {
  const nl = text.indexOf('\n');
  if (nl < 0) return [text, undefined];
  const rest = text.slice(nl + 1);
  const nl2 = rest.indexOf('\n');
  return [text.slice(0, nl), nl2 < 0 ? rest : rest.slice(0, nl2)];
}

/** Parse the two files' texts (either may be absent). An empty first line is an error. */
export function parseVirtualContexts(domainText: string | undefined, imageText: string | undefined, where = 'contexts'): VirtualContexts {
  const out: { -readonly [K in keyof VirtualContexts]: VirtualContexts[K] } = {};
  if (domainText !== undefined) {
    const [domain, alt] = twoLines(domainText);
    if (domain.length === 0) throw labelError(`${where}/virtual_domain_context:1:1: error: empty domain context`);
    out.domainContext = domain;
    // libvirt keeps the second line only when it is non-empty
    if (alt !== undefined && alt.length > 0) out.altDomainContext = alt;
  }
  if (imageText !== undefined) {
    const [file, content] = twoLines(imageText);
    if (file.length === 0) throw labelError(`${where}/virtual_image_context:1:1: error: empty image context`);
    out.fileContext = file;
    if (content !== undefined) {
      if (content.length === 0) throw labelError(`${where}/virtual_image_context:2:1: error: empty content context`);
      out.contentContext = content;
    }
  }
  return out;
}

function readCapped(path: string, max: number): string | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readRegularFile(path, 'virtual context file', max);
  const text = bytes.toString('utf8');
  if (text.includes('\0')) throw labelError(`${path}: a NUL byte in ${quoteInput(text)}`);
  return text;
}

/**
 * Read `DIR/virtual_domain_context` and `DIR/virtual_image_context` (DIR = a policy's contexts
 * directory, e.g. /etc/selinux/default/contexts). Files larger than libvirt's caps fail with E_LIMIT.
 */
export function loadVirtualContexts(dir: string): VirtualContexts {
  const domain = readCapped(join(dir, 'virtual_domain_context'), VIRT_CONTEXT_FILE_MAX);
  const image = readCapped(join(dir, 'virtual_image_context'), 2 * VIRT_CONTEXT_FILE_MAX);
  return parseVirtualContexts(domain, image, dir);
}

/** The embedded sVirt policy's contexts directory (policies/contexts). */
export function embeddedContextsDir(): string {
  return join(packageRoot(), 'policies', 'contexts');
}
