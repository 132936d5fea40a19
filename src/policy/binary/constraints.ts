/**
 * Constraint and validatetrans records (S policydb.c:read_cons_helper).
 *
 * Record: `[perms u32, nexpr u32]`, then nexpr x `[expr_type, attr, op]`; a NAMES node adds a
 * `names` ebitmap (bit = value - 1) and, from v29, a `type_set {types ebitmap, negset ebitmap,
 * flags u32}` holding the names as written (diagnostics only: in a kernel policy `names` is already
 * expanded to primary types, S expand.c:constraint_node_clone).
 *
 * Load-time checks, as libsepol: the postfix expression never underflows, never exceeds
 * CEXPR_MAXDEPTH (5) and ends with exactly one value; XTARGET (the third context) only appears in
 * validatetrans. Added (libsepol's policydb_validate does the same): operators/attributes are known,
 * the permission mask lies within the class's permissions, names index existing symbols.
 *
 * Names bitmaps index users/roles/types, whose tables come after the classes in the file, so their
 * ranges are checked later from `NameCheck`s, and written type names are resolved from `fixups`.
 */
import { BinaryPolicyError } from '../../errors.js';
import {
  CEXPR_AND,
  CEXPR_ATTR,
  CEXPR_EQ,
  CEXPR_INCOMP,
  CEXPR_MAX_DEPTH,
  CEXPR_NAMES,
  CEXPR_NEQ,
  CEXPR_NOT,
  CEXPR_OR,
  CEXPR_ROLE,
  CEXPR_TARGET,
  CEXPR_TYPE,
  CEXPR_USER,
  CEXPR_XTARGET,
  type ConstraintDef,
  type ConstraintExprNode,
} from '../model.js';
import type { Cursor } from './cursor.js';
import { readEbitmap } from './ebitmap.js';
import { POLICYDB_VERSION_CONSTRAINT_NAMES } from './names.js';

/** A names bitmap whose values must be checked once the table it indexes is known. */
export interface NameCheck {
  readonly section: string;
  readonly at: number;
  readonly table: 'users' | 'roles' | 'types';
  /** largest value in the bitmap (0 when empty) */
  readonly max: number;
}

interface MutableExpr {
  exprType: number;
  attr: number;
  op: number;
  names?: number[];
  written?: string[];
}

/** A v29+ type_set to turn into written names once the type names are known. */
export interface WrittenFixup {
  readonly node: MutableExpr;
  readonly section: string;
  readonly at: number;
  /** type_set.types and negset as bit indices (value - 1); may name attributes */
  readonly types: number[];
  readonly negset: number[];
  readonly flags: number;
}

export interface ConstraintContext {
  readonly version: number;
  readonly checks: NameCheck[];
  readonly fixups: WrittenFixup[];
}

/** type_set flags (S policydb.h TYPE_STAR, TYPE_COMP) */
const TYPE_STAR = 1;
const TYPE_COMP = 2;
/** all level-comparison attribute bits: L1L2 .. L2H2 */
const LEVEL_ATTRS = 0x7e0;
/** no bitmap bit can exceed this; real limits are checked later against the symbol tables */
const NO_LIMIT = 0xffffffff;

const LEVEL_ATTR_VALUES = new Set([32, 64, 128, 256, 512, 1024]);

function validAttrAttr(attr: number): boolean {
  if (LEVEL_ATTR_VALUES.has(attr)) return true;
  const base = attr & ~(CEXPR_TARGET | CEXPR_XTARGET);
  return (base === CEXPR_USER || base === CEXPR_ROLE || base === CEXPR_TYPE) && (attr & ~0x1f) === 0;
}

function namesTable(attr: number): 'users' | 'roles' | 'types' | undefined {
  if ((attr & ~0x1f) !== 0) return undefined;
  switch (attr & ~(CEXPR_TARGET | CEXPR_XTARGET)) {
    case CEXPR_USER:
      return 'users';
    case CEXPR_ROLE:
      return 'roles';
    case CEXPR_TYPE:
      return 'types';
    default:
      return undefined;
  }
}

function readTypeSetBits(c: Cursor, what: string): { types: number[]; negset: number[]; flags: number } {
  const types = readEbitmap(c, NO_LIMIT, `${what} type_set`);
  const negset = readEbitmap(c, NO_LIMIT, `${what} type_set negset`);
  const flags = c.u32();
  return { types, negset, flags };
}

/**
 * Read `ncons` constraint records. `permCount` is the class's permission count (mask check);
 * `allowXtarget` is true for validatetrans lists.
 */
export function readConstraintList(
  c: Cursor,
  ncons: number,
  permCount: number,
  allowXtarget: boolean,
  ctx: ConstraintContext,
  what: string,
): ConstraintDef[] {
  const out: ConstraintDef[] = [];
  const permMask = permCount >= 32 ? 0xffffffff : (1 << permCount) - 1;
  for (let i = 0; i < ncons; i++) {
    const at = c.pos;
    const perms = c.u32();
    const nexpr = c.count(12, `${what} expression node`);
    if ((perms & ~permMask) !== 0) c.fail(`${what}: permission mask 0x${perms.toString(16)} exceeds the class's ${permCount} permission(s)`, at);
    const expr: ConstraintExprNode[] = [];
    let depth = -1;
    let mls = false;
    for (let j = 0; j < nexpr; j++) {
      const nodeAt = c.pos;
      const exprType = c.u32();
      const attr = c.u32();
      const op = c.u32();
      const node: MutableExpr = { exprType, attr, op };
      switch (exprType) {
        case CEXPR_NOT:
          if (depth < 0) c.fail(`${what}: 'not' on an empty expression stack`, nodeAt);
          break;
        case CEXPR_AND:
        case CEXPR_OR:
          if (depth < 1) c.fail(`${what}: '${exprType === CEXPR_AND ? 'and' : 'or'}' needs two operands`, nodeAt);
          depth--;
          break;
        case CEXPR_ATTR:
          if (depth === CEXPR_MAX_DEPTH - 1) c.fail(`${what}: expression deeper than ${CEXPR_MAX_DEPTH}`, nodeAt);
          depth++;
          if (!validAttrAttr(attr)) c.fail(`${what}: unknown attribute ${attr}`, nodeAt);
          if (!allowXtarget && (attr & CEXPR_XTARGET) !== 0) c.fail(`${what}: third-context operand outside validatetrans`, nodeAt);
          if (op < CEXPR_EQ || op > CEXPR_INCOMP) c.fail(`${what}: unknown operator ${op}`, nodeAt);
          if ((attr & LEVEL_ATTRS) !== 0) mls = true;
          break;
        case CEXPR_NAMES: {
          if (depth === CEXPR_MAX_DEPTH - 1) c.fail(`${what}: expression deeper than ${CEXPR_MAX_DEPTH}`, nodeAt);
          depth++;
          if (!allowXtarget && (attr & CEXPR_XTARGET) !== 0) c.fail(`${what}: third-context operand outside validatetrans`, nodeAt);
          const table = namesTable(attr);
          if (!table) c.fail(`${what}: names node with attribute ${attr}`, nodeAt);
          if (op !== CEXPR_EQ && op !== CEXPR_NEQ) c.fail(`${what}: names node with operator ${op}`, nodeAt);
          const namesAt = c.pos;
          const bits = readEbitmap(c, NO_LIMIT, `${what} names`);
          for (let k = 0; k < bits.length; k++) bits[k] = bits[k]! + 1;
          node.names = bits;
          ctx.checks.push({ section: c.section, at: namesAt, table, max: bits.length ? bits[bits.length - 1]! : 0 });
          if (ctx.version >= POLICYDB_VERSION_CONSTRAINT_NAMES) {
            const setAt = c.pos;
            const ts = readTypeSetBits(c, what);
            if (ts.types.length || ts.negset.length || ts.flags) {
              ctx.fixups.push({ node, section: c.section, at: setAt, ...ts });
            }
          }
          break;
        }
        default:
          c.fail(`${what}: unknown expression type ${exprType}`, nodeAt);
      }
      expr.push(node);
    }
    if (depth !== 0) c.fail(`${what}: expression leaves ${depth + 1} value(s) on the stack, expected 1`, at);
    out.push({ perms, expr, mls });
  }
  return out;
}

/** Check deferred names bitmaps against the symbol table sizes. */
export function checkNames(checks: readonly NameCheck[], sizes: { users: number; roles: number; types: number }): void {
  for (const ch of checks) {
    if (ch.max > sizes[ch.table]) {
      throw new BinaryPolicyError(ch.section, ch.at, `constraint names value ${ch.max} out of range 1..${sizes[ch.table]} (${ch.table})`);
    }
  }
}

/** Turn type_sets into written names (attributes included), e.g. ['mcs_constrained_type']. */
export function resolveWritten(fixups: readonly WrittenFixup[], typeNames: readonly string[]): void {
  for (const f of fixups) {
    const name = (bit: number): string => {
      const n = typeNames[bit];
      if (n === undefined) throw new BinaryPolicyError(f.section, f.at, `constraint type_set value ${bit + 1} out of range 1..${typeNames.length}`);
      return n;
    };
    const written: string[] = [];
    if (f.flags & ~(TYPE_STAR | TYPE_COMP)) throw new BinaryPolicyError(f.section, f.at, `constraint type_set flags 0x${f.flags.toString(16)} unknown`);
    if (f.flags & TYPE_COMP) written.push('~');
    if (f.flags & TYPE_STAR) written.push('*');
    for (const b of f.types) written.push(name(b));
    for (const b of f.negset) written.push(`-${name(b)}`);
    f.node.written = written;
  }
}
