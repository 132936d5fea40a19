// The security server's compute_av over the loaded image (K ss/services.c security_compute_av and
// context_struct_compute_av; S src/services.c for the reason mask). Order, exactly:
//   TE over type_attr_map(s) x type_attr_map(t) (unconditional + enabled conditional entries)
//   → constraints covering a currently-allowed permission → role allow for process
//   transition|dyntransition when the roles differ → typebounds (recompute for the bounding
//   source type, and the target's bounding type if it has one; mask allowed).
// The libsepol reason mask (TE/CONS/RBAC/BOUNDS) is accumulated for the requested vector.
// Results are left in the d* globals; nothing allocates.
import {
  AVD_FLAGS_PERMISSIVE, BOUNDS_MAX_DEPTH, CLASS_CONS_COUNT, CLASS_CONS_FIRST, CLASS_NPERMS, CLASS_REC_SIZE,
  CONS_EXPR_COUNT, CONS_EXPR_FIRST, CONS_PERMS, CONS_REC_SIZE, HU_ALLOW, REASON_BOUNDS, REASON_CONS,
  REASON_RBAC, REASON_TE, SID_ROLE, SID_TYPE, STATUS_BAD_CLASS, STATUS_BAD_SID,
  STATUS_NO_POLICY, STATUS_OK, TYPE_ATTR_COUNT, TYPE_ATTR_OFF, TYPE_BOUNDS, TYPE_PERMISSIVE,
} from './layout';
import {
  classesBase, consBase, handleUnknown, imgBase, loaded, nclasses, processClass, processTrans,
  roleAllowBase, roleWords, seqno, typeRec,
} from './policydb';
import { teAllowed, teAuditallow, teAuditdeny, teCompute } from './avtab';
import { constraintHolds } from './constraints';
import { bitsetHas } from './bitset';
import { sidResolve } from './sidtab';

export let dAllowed: u32 = 0;
export let dAuditallow: u32 = 0;
export let dAuditdeny: u32 = 0xffffffff;
export let dSeqno: u32 = 0;
export let dFlags: u32 = 0;
export let dReason: u32 = 0;
export let dStatus: u32 = 0;

// outputs of one context_struct_compute_av pass (kept apart from d* for the bounds recursion)
let cAllowed: u32 = 0;
let cAuditallow: u32 = 0;
let cAuditdeny: u32 = 0xffffffff;
let cReason: u32 = 0;

/** `allow r1 r2;` exists */
function roleAllowed(r1: u32, r2: u32): bool {
  return bitsetHas(roleAllowBase + <usize>(r1 - 1) * roleWords * 4, roleWords, r2);
}

/** K context_struct_compute_av for (s with type stype, t with type ttype); 1 <= tclass <= nclasses */
function contextComputeAv(s: usize, stype: u32, t: usize, ttype: u32, tclass: u32, requested: u32, depth: u32): void {
  let reason: u32 = 0;
  // 1. TE: every (attribute-or-type of s) x (attribute-or-type of t) key, both avtabs
  const sr = typeRec(stype);
  const tr = typeRec(ttype);
  teCompute(
    imgBase + load<u32>(sr + TYPE_ATTR_OFF), load<u32>(sr + TYPE_ATTR_COUNT),
    imgBase + load<u32>(tr + TYPE_ATTR_OFF), load<u32>(tr + TYPE_ATTR_COUNT), tclass,
  );
  let allowed = teAllowed;
  const auditallow = teAuditallow;
  const auditdeny = teAuditdeny;
  if ((requested & ~allowed) != 0) {
    reason |= REASON_TE;
    requested &= allowed;
  }
  // 2. constraints: only those covering a currently-allowed permission are evaluated
  const cr = classesBase + <usize>(tclass - 1) * CLASS_REC_SIZE;
  const first = load<u32>(cr + CLASS_CONS_FIRST);
  const count = load<u32>(cr + CLASS_CONS_COUNT);
  for (let k: u32 = 0; k < count; k++) {
    const c = consBase + <usize>(first + k) * CONS_REC_SIZE;
    const perms = load<u32>(c + CONS_PERMS);
    if ((perms & allowed) != 0 && !constraintHolds(load<u32>(c + CONS_EXPR_FIRST), load<u32>(c + CONS_EXPR_COUNT), s, stype, t, ttype)) {
      allowed &= ~perms;
    }
  }
  if ((requested & ~allowed) != 0) {
    reason |= REASON_CONS;
    requested &= allowed;
  }
  // 3. RBAC: a process transition between different roles needs `allow srole trole;`
  if (tclass == processClass && (allowed & processTrans) != 0) {
    const srole = load<u32>(s + SID_ROLE);
    const trole = load<u32>(t + SID_ROLE);
    if (srole != trole && !roleAllowed(srole, trole)) allowed &= ~processTrans;
  }
  if ((requested & ~allowed) != 0) {
    reason |= REASON_RBAC;
    requested &= allowed;
  }
  // 4. typebounds: a bounded source may never exceed its bounding type (K type_attribute_bounds_av)
  const sb = load<u32>(sr + TYPE_BOUNDS);
  if (sb != 0) {
    // a chain deeper than the kernel accepts (refused at image build) grants nothing
    let parentAllowed: u32 = 0;
    if (depth < BOUNDS_MAX_DEPTH) {
      const tb = load<u32>(tr + TYPE_BOUNDS);
      contextComputeAv(s, sb, t, tb != 0 ? tb : ttype, tclass, 0, depth + 1);
      parentAllowed = cAllowed;
    }
    const masked = allowed & ~parentAllowed;
    allowed &= ~masked;
    // libsepol type_attribute_bounds_av: BOUNDS whenever anything was masked, requested or not
    if (masked != 0) reason |= REASON_BOUNDS;
  }
  cAllowed = allowed;
  cAuditallow = auditallow;
  cAuditdeny = auditdeny;
  cReason = reason;
}

function deny(status: u32, requested: u32): void {
  dAllowed = 0;
  dAuditallow = 0;
  dAuditdeny = 0xffffffff;
  dReason = requested != 0 ? REASON_TE : 0;
  dStatus = status;
}

/**
 * K security_compute_av + libsepol's reason for `requested`. STATUS_OK, or a STATUS_* failure with
 * nothing allowed (bad SID, class 0 or > nclasses, no policy): such decisions are never cached and
 * never turned into grants by permissive mode.
 *
 * handle_unknown, with the identity class map svirt uses (callers name policy classes directly):
 * permission bits above the class's defined permissions are the only "unknown" requests. As in K
 * map_decision they are allowed iff allow_unknown, and always audited when denied; deny and reject
 * deny them (reject has nothing to refuse at load time: no class of the caller can be missing).
 */
export function computeDecision(ssid: u32, tsid: u32, tclass: u32, requested: u32): void {
  dSeqno = seqno;
  dFlags = 0;
  if (!loaded) return deny(STATUS_NO_POLICY, requested);
  const s = sidResolve(ssid);
  const t = sidResolve(tsid);
  if (s == 0 || t == 0) return deny(STATUS_BAD_SID, requested);
  // K security_compute_av: the permissive flag comes from the source type, before the class check
  const stype = load<u32>(s + SID_TYPE);
  if (load<u32>(typeRec(stype) + TYPE_PERMISSIVE) != 0) dFlags |= AVD_FLAGS_PERMISSIVE;
  if (tclass == 0 || tclass > nclasses) return deny(STATUS_BAD_CLASS, requested);
  const nperms = load<u32>(classesBase + <usize>(tclass - 1) * CLASS_REC_SIZE + CLASS_NPERMS);
  const known: u32 = nperms >= 32 ? 0xffffffff : (<u32>1 << nperms) - 1;
  const allowUnknown = handleUnknown == HU_ALLOW;
  contextComputeAv(s, stype, t, load<u32>(t + SID_TYPE), tclass, allowUnknown ? requested & known : requested, 0);
  dAllowed = allowUnknown ? cAllowed | ~known : cAllowed & known;
  dAuditallow = cAuditallow & known;
  dAuditdeny = cAuditdeny | ~known;
  dReason = cReason;
  dStatus = STATUS_OK;
}
