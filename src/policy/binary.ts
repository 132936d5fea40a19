/**
 * Reader for binary kernel policies (`policy.NN`, versions 24..35) into the PolicyModel.
 *
 * File order (S src/policydb.c:policydb_read; docs/selinux-semantics.md):
 *   header → policycaps (v22) → permissive map (v23) → neveraudit map (v35) → 8 symbol tables →
 *   avtab → conditional lists → role_trans → role_allow → filename_trans (v25) → ocontexts → genfs →
 *   range_trans → type_attr_map (one ebitmap per type value).
 *
 * Every failure is a BinaryPolicyError naming the section and the byte offset of the offending field;
 * counts are bounded by the bytes left before anything is allocated, so corrupted input can neither
 * exhaust memory nor loop for long. Bytes after the last section are rejected too.
 *
 * Model conventions (src/policy/model.ts): values 1-based and arrays indexed by value - 1; permission
 * bit = value - 1; typeAttrMap includes the type's own value; attrTypes is its inverse over primary
 * types. The per-section readers live in ./binary/.
 */
import { BinaryPolicyError, SvirtError } from '../errors.js';
import type { HandleUnknown, OtherStatement, PolicyModel, XpermEntry } from './model.js';
import { readAvtab, readConditionals } from './binary/avtab.js';
import { ContextReader } from './binary/context.js';
import { Cursor } from './binary/cursor.js';
import { readEbitmap } from './binary/ebitmap.js';
import {
  ALLOW_UNKNOWN,
  DENY_UNKNOWN,
  MAX_VERSION,
  MIN_VERSION,
  POLICYDB_CONFIG_MLS,
  POLICYDB_CONFIG_UNKNOWN_MASK,
  POLICYDB_MAGIC,
  POLICYDB_MOD_MAGIC,
  POLICYDB_STRING,
  POLICYDB_VERSION_FILENAME_TRANS,
  POLICYDB_VERSION_NEVERAUDIT,
  POLICY_CAPABILITIES,
  POLICYDB_XEN_STRING,
  REJECT_UNKNOWN,
  SYM_NUM,
  oconNum,
} from './binary/names.js';
import { readOcontexts, readGenfs } from './binary/ocontexts.js';
import { readFilenameTrans, readRangeTrans, readRoleAllow, readRoleTrans } from './binary/rules.js';
import { readSymbolTables, type SymbolTables } from './binary/symbols.js';

/** True when the bytes start with the kernel policy magic 0xf97cff8c (little-endian). */
export function isBinaryPolicy(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x8c && bytes[1] === 0xff && bytes[2] === 0x7c && bytes[3] === 0xf9;
}

interface Header {
  version: number;
  mls: boolean;
  handleUnknown: HandleUnknown;
}

/** POLICYDB_STRING_MAX_LENGTH in libsepol */
const POLICYDB_STRING_MAX_LENGTH = 32;
/** capability bits beyond this are corruption (there are 15 capabilities today) */
const POLICYCAP_LIMIT = 1024;
const NO_LIMIT = 0xffffffff;

function readHeader(c: Cursor): Header {
  c.section = 'header';
  const magic = c.u32();
  if (magic === POLICYDB_MOD_MAGIC) c.fail('this is a policy module (.pp), not a kernel policy', 0);
  if (magic !== POLICYDB_MAGIC) c.fail(`wrong magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x${POLICYDB_MAGIC.toString(16)}`, 0);
  const lenAt = c.pos;
  const len = c.u32();
  if (len === 0 || len > POLICYDB_STRING_MAX_LENGTH) c.fail(`policy string length ${len} invalid`, lenAt);
  const target = c.str(len, 'policy string', lenAt);
  if (target === POLICYDB_XEN_STRING) c.fail('unsupported: Xen (XenFlask) policies are not supported', lenAt + 4);
  if (target !== POLICYDB_STRING) c.fail(`unknown policy target "${target}", expected "${POLICYDB_STRING}"`, lenAt + 4);
  const versionAt = c.pos;
  const version = c.u32();
  const config = c.u32();
  const symNum = c.u32();
  const oconCount = c.u32();
  if (version < MIN_VERSION || version > MAX_VERSION) {
    c.fail(`unsupported policy version ${version} (this reader handles ${MIN_VERSION}..${MAX_VERSION})`, versionAt);
  }
  const unknown = config & POLICYDB_CONFIG_UNKNOWN_MASK;
  let handleUnknown: HandleUnknown;
  if (unknown === DENY_UNKNOWN) handleUnknown = 'deny';
  else if (unknown === REJECT_UNKNOWN) handleUnknown = 'reject';
  else if (unknown === ALLOW_UNKNOWN) handleUnknown = 'allow';
  else c.fail(`config 0x${config.toString(16)} sets both reject_unknown and allow_unknown`, versionAt + 4);
  if (symNum !== SYM_NUM) c.fail(`symbol table count ${symNum}, expected ${SYM_NUM}`, versionAt + 8);
  if (oconCount !== oconNum(version)) c.fail(`ocontext count ${oconCount}, expected ${oconNum(version)} for version ${version}`, versionAt + 12);
  return { version, mls: (config & POLICYDB_CONFIG_MLS) !== 0, handleUnknown };
}

function capabilityNames(bits: readonly number[]): string[] {
  return bits.map((b) => POLICY_CAPABILITIES[b] ?? `policycap${b}`);
}

/**
 * Per-type maps indexed by type value (bit 0 unused): permissive (v23) and neveraudit (v35).
 * Bits of attributes are ignored.
 */
function applyTypeFlagMap(bits: readonly number[], at: number, what: string, syms: SymbolTables): number[] {
  const values: number[] = [];
  for (const v of bits) {
    if (v === 0 || v > syms.types.length) throw new BinaryPolicyError(what, at, `type value ${v} out of range 1..${syms.types.length}`);
    // an attribute's bit loads (libsepol 3.4 and the kernel accept it) but means nothing: a
    // context's type is never an attribute (K ss/policydb.c policydb_context_isvalid)
    if (syms.types[v - 1]!.attribute) continue;
    values.push(v);
  }
  return values;
}

/**
 * type_attr_map: one ebitmap per type value, bits = value - 1 of the attributes containing the type.
 * The type's own bit is added after reading (S policydb_read). attrTypes is the inverse restricted to
 * primary types.
 */
function readTypeAttrMap(c: Cursor, syms: SymbolTables): { typeAttrMap: number[][]; attrTypes: number[][] } {
  c.section = 'type_attr_map';
  const n = syms.types.length;
  const typeAttrMap: number[][] = new Array(n);
  const attrTypes: number[][] = new Array(n);
  for (let i = 0; i < n; i++) attrTypes[i] = [];
  for (let i = 0; i < n; i++) {
    const bits = readEbitmap(c, n, `type_attr_map of ${syms.types[i]!.name}`);
    const own = i;
    const values: number[] = [];
    let placed = false;
    for (const b of bits) {
      if (!placed && b >= own) {
        if (b !== own) values.push(own + 1);
        placed = true;
      }
      values.push(b + 1);
    }
    if (!placed) values.push(own + 1);
    typeAttrMap[i] = values;
    if (!syms.types[i]!.attribute) {
      for (const v of values) {
        if (v !== own + 1 && syms.types[v - 1]!.attribute) attrTypes[v - 1]!.push(own + 1);
      }
    }
  }
  return { typeAttrMap, attrTypes };
}

function readPolicy(c: Cursor): PolicyModel {
  const { version, mls, handleUnknown } = readHeader(c);

  c.section = 'policycaps';
  const policyCaps = capabilityNames(readEbitmap(c, POLICYCAP_LIMIT, 'policycaps'));
  c.section = 'permissive_map';
  const permissiveAt = c.pos;
  const permissiveBits = readEbitmap(c, NO_LIMIT, 'permissive map');
  let neverauditAt = 0;
  let neverauditBits: number[] = [];
  if (version >= POLICYDB_VERSION_NEVERAUDIT) {
    c.section = 'neveraudit_map';
    neverauditAt = c.pos;
    neverauditBits = readEbitmap(c, NO_LIMIT, 'neveraudit map');
  }

  const syms = readSymbolTables(c, version, mls);
  for (const v of applyTypeFlagMap(permissiveBits, permissiveAt, 'permissive_map', syms)) syms.types[v - 1]!.permissive = true;
  const other: OtherStatement[] = [];
  for (const v of applyTypeFlagMap(neverauditBits, neverauditAt, 'neveraudit_map', syms)) {
    other.push({ kind: 'neveraudit', args: [syms.types[v - 1]!.name] });
  }

  const xperms: XpermEntry[] = [];
  const avctx = { version, types: syms.types, classes: syms.classes, xperms, other, condTypeKeys: new Map() };
  const avtab = readAvtab(c, avctx);
  const conds = readConditionals(c, avctx, syms.bools.length);
  readRoleTrans(c, version, syms, other);
  const roleAllows = readRoleAllow(c, syms);
  if (version >= POLICYDB_VERSION_FILENAME_TRANS) readFilenameTrans(c, version, syms, other);

  const contexts = new ContextReader(syms, mls);
  c.section = 'ocontexts';
  const { initialSids } = readOcontexts(c, version, syms, contexts, other);
  readGenfs(c, syms, contexts, other);
  readRangeTrans(c, syms, mls, other);
  const { typeAttrMap, attrTypes } = readTypeAttrMap(c, syms);

  c.section = 'end';
  if (c.remaining !== 0) c.fail(`${c.remaining} unexpected byte(s) after the last section`);

  return {
    mls,
    handleUnknown,
    policyVersion: version,
    policyCaps,
    commons: syms.commons,
    classes: syms.classes,
    roles: syms.roles,
    types: syms.types,
    users: syms.users,
    bools: syms.bools,
    sensitivities: syms.sensitivities,
    categories: syms.categories,
    typeAttrMap,
    attrTypes,
    avtab,
    conds,
    xperms,
    roleAllows,
    initialSids,
    other,
  };
}

/**
 * Where each section of a valid binary policy starts: `[{section, offset}]` in file order, from the
 * header on (sections re-entered are listed again). For tests that mutate policies structurally;
 * throws like readBinaryPolicy on a policy it cannot read.
 */
export function binaryPolicySections(bytes: Uint8Array): Array<{ section: string; offset: number }> {
  const c = new Cursor(bytes, true);
  c.marks!.push({ section: 'header', offset: 0 });
  readPolicy(c);
  return c.marks!;
}

/**
 * Read a kernel binary policy. Throws BinaryPolicyError (section + byte offset) for any malformed,
 * truncated or unsupported input; `file` is appended to the message when given.
 */
export function readBinaryPolicy(bytes: Uint8Array, file?: string): PolicyModel {
  const c = new Cursor(bytes);
  try {
    return readPolicy(c);
  } catch (err) {
    const where = file ? ` [${file}]` : '';
    if (err instanceof BinaryPolicyError) {
      if (!where) throw err;
      const prefix = `binary policy: ${err.section} at byte ${err.offset}: `;
      const detail = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
      throw new BinaryPolicyError(err.section, err.offset, `${detail}${where}`);
    }
    if (err instanceof SvirtError) throw err;
    // Fail closed: a reader bug must still surface as a typed error at the current position.
    const reason = err instanceof Error ? err.message : String(err);
    throw new BinaryPolicyError(c.section, c.pos, `internal reader error: ${reason}${where}`);
  }
}
