/**
 * Fault injection (`--fault NAME`, repeatable). Each fault either flips the verdict to FAIL with
 * the right reason or must be survived with correct counts:
 *
 * | fault             | what happens                                             | expected outcome                       |
 * |-------------------|----------------------------------------------------------|----------------------------------------|
 * | duplicate-label   | guest 1 is given guest 0's category pair                 | FAIL "duplicate pair"                  |
 * | s0-image          | one image of the last guest is relabelled to plain `s0`  | FAIL "image at s0"                     |
 * | unconfined-guest  | one guest runs as a type outside mcs_constrained_type    | FAIL "guest type not MCS-constrained"  |
 * | policy-reload     | the policy is reloaded mid-run; workers switch seqno     | PASS, no answer from the old policy    |
 * | boolean-flip      | a boolean is flipped mid-run                             | PASS, own-image counts match per state |
 * | worker-crash      | a worker thread exits mid-chunk                          | PASS, lost batches reported, re-run    |
 *
 * Label faults act on the guest list before SIDs are interned; mid-run faults are planned at a
 * chunk index (half of each lane's chunks) so seeded runs stay reproducible.
 */
import { quoteInput, simError, usageError } from '../errors.js';
import type { SecurityServer } from '../types.js';
import type { GuestSpec } from './world.js';

export const FAULTS = ['duplicate-label', 's0-image', 'unconfined-guest', 'policy-reload', 'boolean-flip', 'worker-crash'] as const;
export type FaultName = (typeof FAULTS)[number];

export function parseFaults(names: readonly string[]): FaultName[] {
  const out: FaultName[] = [];
  for (const n of names) {
    if (!(FAULTS as readonly string[]).includes(n)) throw usageError(`unknown --fault ${quoteInput(n)} (expected one of: ${FAULTS.join(', ')})`);
    if (!out.includes(n as FaultName)) out.push(n as FaultName);
  }
  return out;
}

/** A label fault applied to the guests: who was changed and how (for the report). */
export interface LabelFaultNote {
  readonly fault: FaultName;
  readonly detail: string;
}

function levelOf(context: string): string {
  return context.split(':').slice(3).join(':');
}

function withType(context: string, type: string): string {
  const parts = context.split(':');
  parts[2] = type;
  return parts.join(':');
}

function withLevel(context: string, level: string): string {
  return `${context.split(':').slice(0, 3).join(':')}:${level}`;
}

/**
 * Types tried, in order, for `unconfined-guest`: a real unconfined domain, then svirt-like domains
 * that the policy may leave outside mcs_constrained_type. The first one that (a) is a valid guest
 * context in the policy, (b) is NOT in mcs_constrained_type and (c) may read svirt_image_t files by
 * type enforcement (so only MCS could stop it) is used.
 */
export const UNCONFINED_CANDIDATES = ['unconfined_t', 'svirt_tcg_t', 'svirt_kvm_nomcs_t', 'virtd_t', 'initrc_t', 'kernel_t'];

function inAttribute(server: SecurityServer, typeName: string, attrName: string): boolean {
  const t = server.model.types.find((d) => d.name === typeName || d.aliases.includes(typeName));
  const a = server.model.types.find((d) => d.name === attrName && d.attribute);
  if (!t || !a) return false;
  return (server.model.typeAttrMap[t.value - 1] ?? []).includes(a.value);
}

/** Apply the label faults in place (returns a new array); notes say what changed. */
export function applyLabelFaults(
  server: SecurityServer,
  guests: readonly GuestSpec[],
  faults: readonly FaultName[],
): { guests: GuestSpec[]; notes: LabelFaultNote[] } {
  const out = guests.map((g) => ({ ...g, images: [...g.images], paths: [...g.paths] }));
  const notes: LabelFaultNote[] = [];
  const G = out.length;
  if (faults.includes('duplicate-label')) {
    if (G < 2) throw usageError('--fault duplicate-label needs at least 2 guests');
    const src = out[0]!;
    const dst = out[1]!;
    const level = levelOf(src.process);
    out[1] = { ...dst, process: withLevel(dst.process, level), images: dst.images.map((c) => withLevel(c, level)) };
    notes.push({ fault: 'duplicate-label', detail: `${dst.name} was given ${src.name}'s pair ${level}` });
  }
  if (faults.includes('s0-image')) {
    const victim = out[G - 1]!;
    const sens = levelOf(victim.images[0]!).split(':')[0] ?? 's0';
    victim.images[0] = withLevel(victim.images[0]!, sens);
    notes.push({ fault: 's0-image', detail: `${victim.paths[0]} (${victim.name}) relabelled to ${victim.images[0]}` });
  }
  if (faults.includes('unconfined-guest')) {
    const idx = Math.min(2, G - 1);
    const victim = out[idx]!;
    let chosen: string | undefined;
    for (const type of UNCONFINED_CANDIDATES) {
      if (inAttribute(server, type, 'mcs_constrained_type')) continue;
      const context = withType(victim.process, type);
      try {
        const ssid = server.contextToSid(context);
        // (c) type enforcement must let it read a guest image, or MCS is not what stops it
        const other = out[idx === 0 ? G - 1 : 0]!;
        const tsid = server.contextToSid(other.images[0]!);
        const file = server.classValue('file');
        if ((server.computeAv(ssid, tsid, file).allowed & server.permMask(file, ['read'])) === 0 && G > 1) continue;
        chosen = context;
        break;
      } catch {
        // not a valid guest context in this policy
      }
    }
    if (chosen === undefined) {
      throw simError(`--fault unconfined-guest: none of ${UNCONFINED_CANDIDATES.join(', ')} is a valid unconstrained guest type in this policy`);
    }
    out[idx] = { ...victim, process: chosen };
    notes.push({ fault: 'unconfined-guest', detail: `${victim.name} runs as ${chosen}` });
  }
  return { guests: out, notes };
}

/**
 * The boolean `boolean-flip` flips: the first boolean whose name starts with `virt_` (the sVirt
 * tunables), else the policy's first boolean. Undefined when the policy has no booleans.
 */
export function pickFlipBoolean(server: SecurityServer): string | undefined {
  const bools = server.model.bools;
  return (bools.find((b) => b.name.startsWith('virt_')) ?? bools[0])?.name;
}
