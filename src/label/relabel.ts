/**
 * Shared relabelling machinery for the drivers (libvirt security_selinux.c SetFilecon /
 * RestoreFileLabel and security_util.c remember/recall; docs/libvirt-labels.md):
 * - which label each disk layer gets (`planDiskLabels`, libvirt's first-match table);
 * - setting a label while remembering the original, refcounted (`setFileLabel`);
 * - restoring it (`restoreFileLabel`): recall the remembered original when the last user stops,
 *   else the policy default; shared, read-only and backing files are never restored;
 * - the default a restore falls back to comes from the caller (the manager: the policy's
 *   file_contexts, selabel_lookup as restorecon uses it; `undefined` = leave the label as it is);
 * - label checkers (policy-backed and syntax-only) and the store-backed FileLabels.
 */
import { buildSymbolIndex, type PolicyModel } from '../policy/model.js';
import { formatContext, parseContext } from '../context/context.js';
import { SvirtError, guestError, labelError, quoteInput } from '../errors.js';
import type { FileLabels, LabelChecker } from './driver.js';
import type { DiskDef, DiskSecLabel, LabelledFile } from './guest-types.js';
import { parseMcsLevel } from './mcs-alloc.js';
import type { HostStore } from './store.js';

/** The four fields of an SELinux context (range = everything after the third ':', may be ''). */
export interface ContextParts {
  readonly user: string;
  readonly role: string;
  readonly type: string;
  readonly range: string;
}

/** Split `user:role:type[:range]` (no policy lookups). Throws E_LABEL for fewer than 3 fields. */
export function splitContext(text: string): ContextParts {
  const a = text.indexOf(':');
  const b = a < 0 ? -1 : text.indexOf(':', a + 1);
  if (a <= 0 || b < 0 || b === a + 1) throw labelError(`malformed security context ${quoteInput(text)} (expected user:role:type[:range])`);
  const c = text.indexOf(':', b + 1);
  const type = c < 0 ? text.slice(b + 1) : text.slice(b + 1, c);
  if (type.length === 0) throw labelError(`malformed security context ${quoteInput(text)}: empty type`);
  return { user: text.slice(0, a), role: text.slice(a + 1, b), type, range: c < 0 ? '' : text.slice(c + 1) };
}

/** `user:role:type:range` (range omitted when empty). */
export function joinContext(p: ContextParts): string {
  return p.range ? `${p.user}:${p.role}:${p.type}:${p.range}` : `${p.user}:${p.role}:${p.type}`;
}

/** Validates labels against a loaded policy: parseContext (every kernel rule) → canonical text. */
export function policyLabelChecker(model: PolicyModel): LabelChecker {
  const index = buildSymbolIndex(model);
  return {
    model,
    context(text: string, what: string): string {
      try {
        return formatContext(model, parseContext(model, index, text));
      } catch (err) {
        if (err instanceof SvirtError) throw new SvirtError(err.code, `${what}: ${err.message}`, { cause: err });
        throw err;
      }
    },
  };
}

const NAME_RE = /^[A-Za-z0-9_.$-]+$/;

/**
 * Syntax-only checker for library use without a policy: identifier-shaped user/role/type and, when
 * present, an MCS range `level[-level]` with high dominating low. Returns the text canonicalised
 * at the category level (sorted, runs of 3+ as cA.cB).
 */
export function syntaxLabelChecker(): LabelChecker {
  return {
    model: undefined,
    context(text: string, what: string): string {
      let p: ContextParts;
      try {
        p = splitContext(text);
      } catch (err) {
        throw labelError(`${what}: ${(err as Error).message}`);
      }
      for (const [k, v] of [['user', p.user], ['role', p.role], ['type', p.type]] as const) {
        if (!NAME_RE.test(v)) throw labelError(`${what}: invalid ${k} ${quoteInput(v)} in ${quoteInput(text)}`);
      }
      if (!p.range) return text;
      const dash = p.range.indexOf('-');
      try {
        const low = parseMcsLevel(dash < 0 ? p.range : p.range.slice(0, dash));
        if (dash < 0) return joinContext({ ...p, range: formatMcs(low.sens, low.cats) });
        const high = parseMcsLevel(p.range.slice(dash + 1));
        if (Number(high.sens.slice(1)) < Number(low.sens.slice(1)) || !low.cats.every((c) => high.cats.includes(c))) {
          throw labelError(`high level does not dominate low level`);
        }
        return joinContext({ ...p, range: `${formatMcs(low.sens, low.cats)}-${formatMcs(high.sens, high.cats)}` });
      } catch (err) {
        throw labelError(`${what}: invalid range in ${quoteInput(text)}: ${(err as Error).message}`);
      }
    },
  };
}

/** `sN[:cats]` with libsepol's run formatting (run of 1 `cN`, of 2 `cA,cB`, of 3+ `cA.cB`). */
export function formatMcs(sens: string, cats: readonly number[]): string {
  if (cats.length === 0) return sens;
  const parts: string[] = [];
  let i = 0;
  while (i < cats.length) {
    let j = i;
    while (j + 1 < cats.length && cats[j + 1] === cats[j]! + 1) j++;
    if (j === i) parts.push(`c${cats[i]}`);
    else if (j === i + 1) parts.push(`c${cats[i]}`, `c${cats[j]}`);
    else parts.push(`c${cats[i]}.c${cats[j]}`);
    i = j + 1;
  }
  return `${sens}:${parts.join(',')}`;
}

/** FileLabels over the store's file-label table; unknown files have the label `initial` gives. */
export function storeFileLabels(store: HostStore, initial: (path: string, model: string) => string): FileLabels {
  return {
    get: (path, model) => store.getFileLabel(path, model) ?? initial(path, model),
    set: (path, model, label) => store.setFileLabel(path, model, label),
  };
}

/** What a driver would set on one file of a disk, and whether the original is remembered. */
export interface PlannedLabel {
  readonly path: string;
  readonly label: string;
  readonly role: LabelledFile['role'];
  readonly remember: boolean;
}

/** The labels a driver uses for the three kinds of disk files (libvirt's SetImageLabel). */
export interface DiskLabelSet {
  /** the guest's private image label (SELinux `svirt_image_t:s0:cA,cB`) */
  readonly image: string;
  /** shareable disks (SELinux `file_context`, `svirt_image_t:s0`) */
  readonly shared: string;
  /** read-only disks and backing layers (SELinux `content_context`, `virt_content_t:s0`) */
  readonly content: string;
}

function secFor(labels: readonly DiskSecLabel[], model: string): DiskSecLabel | undefined {
  return labels.find((s) => s.model === model);
}

/**
 * libvirt's decision (SetImageLabel), first match wins, per layer (top first, then the backing chain):
 * layer relabel=no → skip; layer label → that label; top relabel=no → skip the whole chain; top
 * label → lower layers get it too; top and shareable → shared; top and readonly → content; top →
 * image; lower layer → content. Remember = layer is the top and neither readonly nor shareable.
 */
export function planDiskLabels(disk: DiskDef, model: string, labels: DiskLabelSet): PlannedLabel[] {
  const out: PlannedLabel[] = [];
  const topSec = secFor(disk.seclabels, model);
  const remember = !disk.readonly && !disk.shareable;
  if (topSec && !topSec.relabel) return out;
  if (topSec?.label !== undefined) {
    out.push({ path: disk.source, label: topSec.label, role: 'override', remember });
  } else if (disk.shareable) {
    out.push({ path: disk.source, label: labels.shared, role: 'shared', remember: false });
  } else if (disk.readonly) {
    out.push({ path: disk.source, label: labels.content, role: 'readonly', remember: false });
  } else {
    out.push({ path: disk.source, label: labels.image, role: 'image', remember: true });
  }
  for (const layer of disk.backingChain) {
    const sec = secFor(layer.seclabels, model);
    if (sec && !sec.relabel) continue;
    if (sec?.label !== undefined) out.push({ path: layer.source, label: sec.label, role: 'override', remember: false });
    else if (topSec?.label !== undefined) out.push({ path: layer.source, label: topSec.label, role: 'override', remember: false });
    else out.push({ path: layer.source, label: labels.content, role: 'backing', remember: false });
  }
  return out;
}

/** What a guest's earlier disks already labelled, by canonical path (FileLabelDriver.setAllLabel). */
export type AlreadyLabelled = (path: string) => LabelledFile | undefined;

/**
 * The plans whose file this guest has not labelled yet: a file shared by two of its disks (a
 * backing file under two overlays) is labelled once; two different labels for it are refused.
 */
export function notYetLabelled(guest: string, model: string, plans: readonly PlannedLabel[], labelled?: AlreadyLabelled): PlannedLabel[] {
  if (labelled === undefined) return [...plans];
  return plans.filter((plan) => {
    const before = labelled(plan.path);
    if (before === undefined) return true;
    if (before.label !== plan.label) {
      throw guestError('label-in-use', guest, `guest ${quoteInput(guest)}: two different ${model} labels for ${quoteInput(plan.path)} (${quoteInput(before.label)} and ${quoteInput(plan.label)})`);
    }
    return false;
  });
}

/**
 * Set one file's label (libvirt SetFilecon with remember): when remembering, record the current
 * label refcounted; a second user that would change the label of a file already in use fails
 * ("Setting different … label on X which is already in use"). Returns the LabelledFile record.
 */
export function setFileLabel(
  guest: string,
  store: HostStore,
  files: FileLabels,
  model: string,
  plan: PlannedLabel,
): LabelledFile {
  if (plan.remember) {
    const current = files.get(plan.path, model);
    const refs = store.rememberLabel(plan.path, model, current);
    if (refs > 1 && current !== plan.label) {
      throw guestError('label-in-use', guest, `Setting different ${model} label on ${quoteInput(plan.path)} which is already in use`);
    }
  }
  files.set(plan.path, model, plan.label);
  return { path: plan.path, model, label: plan.label, role: plan.role, remembered: plan.remember };
}

/**
 * The label a restore falls back to: a context, or `undefined` when the policy has none for the
 * path (file_contexts `<<none>>` or no match: restorecon then leaves the file as it is).
 */
export type RestoreDefault = (path: string) => string | undefined;

/**
 * Restore one file at stop (libvirt RestoreImageLabelInt + RestoreFileLabel): shared, read-only and
 * backing files are left alone (other guests may use them); a remembered file gets its original
 * back once the last user stops (nothing while others still use it); a file for which nothing was
 * remembered (libvirt: no remembered XATTR) or that was labelled without remembering gets the
 * policy default, and keeps its label when the policy has none for it.
 */
export function restoreFileLabel(store: HostStore, files: FileLabels, f: LabelledFile, defaultLabel: RestoreDefault): void {
  if (f.role === 'shared' || f.role === 'readonly' || f.role === 'backing') return;
  if (f.role === 'override' && !f.remembered) return;
  if (f.remembered && store.getRemembered(f.path, f.model) !== undefined) {
    const original = store.recallLabel(f.path, f.model);
    if (original !== undefined) files.set(f.path, f.model, original);
    return;
  }
  const fallback = defaultLabel(f.path);
  if (fallback !== undefined) files.set(f.path, f.model, fallback);
}

/**
 * Restore every file of a stopping guest; one failing file does not stop the others (libvirt
 * restores as much as it can), and the first error is rethrown once all were tried.
 */
export function restoreFileLabels(store: HostStore, files: FileLabels, labelled: readonly LabelledFile[], defaultLabel: RestoreDefault): void {
  let first: unknown;
  for (const f of labelled) {
    try {
      restoreFileLabel(store, files, f, defaultLabel);
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}
