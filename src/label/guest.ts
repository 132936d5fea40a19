/**
 * Guest definitions: normalise and validate the loose input form (plain object or parsed domain
 * XML) into a GuestDef with libvirt's `<seclabel>` rules (formatdomain "Security label",
 * domain_conf virSecurityLabelDefParseXML / virSecurityDeviceLabelDefParseXML; docs/libvirt-labels.md):
 * - `type` missing: `dynamic` when a baselabel is given, else `default` (the host decides at start);
 * - relabel defaults: dynamic → yes, static → no, none → no; dynamic + relabel=no and
 *   none + relabel=yes are errors;
 * - `label` only with static (and required there); `baselabel` only with dynamic;
 * - one seclabel per model; a seclabel or disk seclabel without model belongs to the primary driver;
 * - a disk seclabel with relabel=no cannot carry a label.
 * Label TEXT is validated later by each driver's `verify` against the loaded policy.
 */
import { randomUUID } from 'node:crypto';
import { SvirtError, guestError, limitError, quoteInput } from '../errors.js';
import { canonicalPath } from './paths.js';
import type { SecurityStack } from './stack.js';
import type { BackingLayer, DiskDef, DiskSecLabel, GuestDef, GuestInput, SecLabelDef, SecLabelType } from './guest-types.js';

/**
 * Most disk files (top images plus backing layers) one guest may name. libvirt has no such limit;
 * this one is far above real use (QEMU guests rarely exceed a few hundred disks) and keeps the
 * work and memory of one define/start bounded (every step is linear in this number).
 */
export const MAX_GUEST_FILES = 100_000;

const UUID_RE = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/i;

/** libvirt: a name must be non-empty and cannot contain '/'; we also refuse control characters. */
function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw guestError('bad-definition', '', 'guest name is missing or empty');
  // eslint-disable-next-line no-control-regex
  if (name.includes('/') || /[\u0000-\u001f\u007f]/.test(name)) {
    throw guestError('bad-definition', name, `guest name ${quoteInput(name)} must not contain '/' or control characters`);
  }
  if (name.length > 255) throw guestError('bad-definition', name, 'guest name is longer than 255 characters');
  return name;
}

/** RFC 4122 text (with or without dashes) → lower-case dashed form. */
export function normalizeUuid(name: string, uuid: string): string {
  const m = UUID_RE.exec(uuid.trim());
  if (!m) throw guestError('bad-definition', name, `malformed uuid ${quoteInput(uuid)} (expected 8-4-4-4-12 hex digits)`);
  return m.slice(1, 6).join('-').toLowerCase();
}

/** A disk source as a canonical absolute path (paths.ts): one file has one spelling. */
function checkPath(name: string, path: unknown, what: string): string {
  try {
    return canonicalPath(path, `${what}: source path`);
  } catch (err) {
    if (err instanceof SvirtError) throw guestError('bad-definition', name, err.message);
    throw err;
  }
}

function normalizeSeclabel(name: string, raw: NonNullable<GuestInput['seclabels']>[number], primary: string): SecLabelDef {
  const model = raw.model ?? primary;
  if (typeof model !== 'string' || model.length === 0) throw guestError('bad-seclabel', name, 'seclabel model is empty');
  const given = raw.type;
  if (given !== undefined && !['dynamic', 'static', 'none', 'default'].includes(given)) {
    throw guestError('bad-seclabel', name, `invalid security type ${quoteInput(String(given))} (dynamic, static, none)`);
  }
  const type: SecLabelType | 'default' = given ?? (raw.baseLabel !== undefined ? 'dynamic' : 'default');
  const where = `seclabel model ${quoteInput(model)} of guest ${quoteInput(name)}`;
  if (type === 'dynamic' && raw.relabel === false) {
    throw guestError('bad-seclabel', name, `${where}: dynamic label type must use resource relabeling`);
  }
  if (type === 'none' && raw.relabel === true) {
    throw guestError('bad-seclabel', name, `${where}: resource relabeling is not compatible with 'none' label type`);
  }
  if (raw.label !== undefined && type !== 'static') {
    throw guestError('bad-seclabel', name, `${where}: a <label> is only allowed with type 'static' (type is ${quoteInput(type)})`);
  }
  if (type === 'static' && (raw.label === undefined || raw.label.length === 0)) {
    throw guestError('bad-seclabel', name, `${where}: security label is missing for static type`);
  }
  if (raw.baseLabel !== undefined && type !== 'dynamic') {
    throw guestError('bad-seclabel', name, `${where}: a <baselabel> is only allowed with type 'dynamic'`);
  }
  const relabel = type === 'dynamic' ? true : type === 'default' ? (raw.relabel ?? true) : (raw.relabel ?? false);
  return {
    model,
    type,
    relabel,
    ...(raw.label !== undefined ? { label: raw.label } : {}),
    ...(raw.baseLabel !== undefined ? { baseLabel: raw.baseLabel } : {}),
  };
}

function normalizeDiskSeclabels(name: string, raw: ReadonlyArray<{ model?: string; relabel?: boolean; label?: string }> | undefined, primary: string, what: string): DiskSecLabel[] {
  const out: DiskSecLabel[] = [];
  const seen = new Set<string>();
  for (const s of raw ?? []) {
    const model = s.model ?? primary;
    if (seen.has(model)) throw guestError('bad-seclabel', name, `${what}: more than one seclabel for model ${quoteInput(model)}`);
    seen.add(model);
    const relabel = s.relabel ?? true;
    if (!relabel && s.label !== undefined) {
      throw guestError('bad-seclabel', name, `${what}: Cannot specify a label if relabelling is turned off`);
    }
    if (s.label !== undefined && s.label.length === 0) throw guestError('bad-seclabel', name, `${what}: empty <label>`);
    out.push({ model, relabel, ...(s.label !== undefined ? { label: s.label } : {}) });
  }
  return out;
}

/**
 * Normalise a guest: defaults, consistency rules, uuid (random v4 when absent). `primary` is the
 * model that model-less seclabels belong to. Accepts an already-normalised GuestDef too.
 */
export function normalizeGuest(input: GuestInput | GuestDef, primary: string): GuestDef {
  if (typeof input !== 'object' || input === null) throw guestError('bad-definition', '', 'guest definition must be an object');
  const name = checkName((input as { name?: unknown }).name);
  const uuid = input.uuid === undefined ? randomUUID() : normalizeUuid(name, String(input.uuid));
  const virtType = input.virtType ?? 'kvm';
  if (virtType !== 'kvm' && virtType !== 'qemu') throw guestError('bad-definition', name, `unsupported domain type ${quoteInput(String(virtType))} (kvm, qemu)`);

  const rawLabels = [...(input.seclabels ?? [])];
  const single = (input as GuestInput).seclabel;
  if (single) rawLabels.push(single);
  const seclabels: SecLabelDef[] = [];
  for (const raw of rawLabels) {
    const sec = normalizeSeclabel(name, raw, primary);
    if (seclabels.some((s) => s.model === sec.model)) {
      throw guestError('bad-seclabel', name, `guest ${quoteInput(name)}: more than one seclabel for model ${quoteInput(sec.model)}`);
    }
    seclabels.push(sec);
  }

  const rawDisks = input.disks ?? [];
  if (!Array.isArray(rawDisks)) throw guestError('bad-definition', name, `guest ${quoteInput(name)}: disks must be a list`);
  let files = rawDisks.length;
  for (const d of rawDisks) if (typeof d === 'object' && d !== null && Array.isArray(d.backingChain)) files += d.backingChain.length;
  if (files > MAX_GUEST_FILES) {
    throw limitError(`guest ${quoteInput(name)}`, `${MAX_GUEST_FILES} disk files per guest`, `${files} disk files (top images plus backing layers)`);
  }
  const disks: DiskDef[] = [];
  for (const [i, d] of rawDisks.entries()) {
    const what = `disk ${i + 1} of guest ${quoteInput(name)}`;
    if (typeof d !== 'object' || d === null) throw guestError('bad-definition', name, `${what}: not an object`);
    const source = checkPath(name, d.source, what);
    const type = d.type ?? (source.startsWith('/dev/') ? 'block' : 'file');
    if (type !== 'file' && type !== 'block') throw guestError('bad-definition', name, `${what}: unsupported disk type ${quoteInput(String(type))}`);
    const chain: BackingLayer[] = [];
    for (const [j, b] of (d.backingChain ?? []).entries()) {
      const bwhat = `${what}, backing layer ${j + 1}`;
      const bsource = checkPath(name, b.source, bwhat);
      const btype = b.type ?? (bsource.startsWith('/dev/') ? 'block' : 'file');
      if (btype !== 'file' && btype !== 'block') throw guestError('bad-definition', name, `${bwhat}: unsupported type ${quoteInput(String(btype))}`);
      if (bsource === source || chain.some((c) => c.source === bsource)) {
        throw guestError('bad-definition', name, `${bwhat}: backing chain loops back to ${quoteInput(bsource)}`);
      }
      chain.push({ source: bsource, type: btype, seclabels: normalizeDiskSeclabels(name, b.seclabels, primary, bwhat) });
    }
    disks.push({
      source,
      type,
      ...(d.target !== undefined ? { target: d.target } : {}),
      readonly: d.readonly === true,
      shareable: d.shareable === true,
      seclabels: normalizeDiskSeclabels(name, d.seclabels, primary, what),
      backingChain: chain,
    });
  }
  return { name, uuid, virtType, seclabels, disks };
}

/** Host confinement policy (qemu.conf security_default_confined / security_require_confined). */
export interface ConfinementFlags {
  readonly defaultConfined: boolean;
  readonly requireConfined: boolean;
}

/**
 * The seclabel each stacked driver uses for this guest (libvirt virSecurityManagerGenLabel,
 * docs/libvirt-labels.md): explicit ones as given; `default` → dynamic when default-confined, else
 * none; a driver without one gets an implicit dynamic seclabel when default-confined. A seclabel
 * with model 'none' makes every driver unconfined. Errors: a model no driver provides; type none
 * under require-confined.
 */
export function resolveSeclabels(def: GuestDef, stack: SecurityStack, flags: ConfinementFlags): Map<string, SecLabelDef> {
  const out = new Map<string, SecLabelDef>();
  const noneModel = def.seclabels.find((s) => s.model === 'none' && !stack.byName('none'));
  for (const s of def.seclabels) {
    if (s.model !== 'none' && !stack.byName(s.model)) {
      throw guestError('unsupported', def.name, `Security driver model ${quoteInput(s.model)} is not available (stack: ${stack.drivers.map((d) => d.name).join(', ')})`);
    }
  }
  for (const d of stack.drivers) {
    let sec: SecLabelDef | undefined = noneModel ? { model: d.name, type: 'none', relabel: false } : def.seclabels.find((s) => s.model === d.name);
    if (sec?.type === 'default') {
      sec = flags.defaultConfined ? { ...sec, type: 'dynamic', relabel: true } : { ...sec, type: 'none', relabel: false };
    }
    if (!sec) {
      if (!flags.defaultConfined) continue;
      sec = { model: d.name, type: 'dynamic', relabel: true, implicit: true };
    }
    if (sec.type === 'none' && flags.requireConfined && d.name !== 'none') {
      throw guestError('bad-seclabel', def.name, 'Unconfined guests are not allowed on this host');
    }
    out.set(d.name, sec);
  }
  return out;
}
