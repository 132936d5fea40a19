/**
 * The type-enforcement access vector table and the conditional lists (v>=20 item format;
 * S src/avtab.c:avtab_read_item, S src/conditional.c:cond_read_list, K ss/avtab.c, K ss/conditional.c).
 *
 * Item: `{source u16, target u16, class u16, specified u16}` then either `data u32` or, for xperm
 * kinds (v>=30; inside conditionals only from v34), `{specified u8, driver u8, perms u32[8]}`.
 * `specified` must carry exactly one kind bit (ENABLED 0x8000 aside). Keys are u16, so at most 65535
 * types/classes can be addressed. Source/target may be types or attributes; they are expanded at
 * decision time through type_attr_map, not here.
 *
 * Mapping into the model:
 * - allowed / auditallow / auditdeny → AvEntry (auditdeny data is already the inverted dontaudit mask)
 * - type_transition / type_member / type_change → OtherStatement args [source, target, class, new]
 * - allowxperm / auditallowxperm / dontauditxperm → XpermEntry (unconditional) or, inside a
 *   conditional, an OtherStatement (XpermEntry has no condition)
 * Conditional entries additionally get args `cond <node index> true|false`.
 *
 * Conditional node: `[cur_state]`, `[nexpr]` + nexpr x `{expr_type, bool}`, true list, false list.
 * The stored cur_state and ENABLED bits are ignored: consumers re-evaluate from the booleans.
 */
import {
  AVTAB_ALLOWED,
  AVTAB_AUDITALLOW,
  AVTAB_AUDITDENY,
  COND_BOOL,
  COND_NEQ,
  type AvEntry,
  type AvSpecified,
  type ClassDef,
  type CondExprToken,
  type CondNode,
  type OtherStatement,
  type TypeDef,
  type XpermEntry,
} from '../model.js';
import type { Cursor } from './cursor.js';
import {
  AVTAB_CHANGE,
  AVTAB_ENABLED,
  AVTAB_MEMBER,
  AVTAB_TRANSITION,
  AVTAB_XPERMS,
  AVTAB_XPERMS_ALLOWED,
  AVTAB_XPERMS_AUDITALLOW,
  AVTAB_XPERMS_DONTAUDIT,
  AVTAB_XPERMS_IOCTLDRIVER,
  AVTAB_XPERMS_IOCTLFUNCTION,
  AVTAB_XPERMS_NLMSG,
  POLICYDB_VERSION_COND_XPERMS,
  POLICYDB_VERSION_XPERMS_IOCTL,
} from './names.js';

/** smallest encoded item: 4 x u16 key + u32 datum */
const MIN_ITEM_BYTES = 12;
/** xperm datum: u8 specified + u8 driver + 8 x u32 */
const XPERM_DATUM_BYTES = 34;

const KNOWN_KINDS =
  AVTAB_ALLOWED |
  AVTAB_AUDITALLOW |
  AVTAB_AUDITDENY |
  AVTAB_TRANSITION |
  AVTAB_MEMBER |
  AVTAB_CHANGE |
  AVTAB_XPERMS_ALLOWED |
  AVTAB_XPERMS_AUDITALLOW |
  AVTAB_XPERMS_DONTAUDIT;

const TYPE_RULE_KIND: Record<number, string> = {
  [AVTAB_TRANSITION]: 'type_transition',
  [AVTAB_MEMBER]: 'type_member',
  [AVTAB_CHANGE]: 'type_change',
};

const XPERM_KIND: Record<number, XpermEntry['kind']> = {
  [AVTAB_XPERMS_ALLOWED]: 'allowxperm',
  [AVTAB_XPERMS_AUDITALLOW]: 'auditallowxperm',
  [AVTAB_XPERMS_DONTAUDIT]: 'dontauditxperm',
};

export interface AvtabContext {
  readonly version: number;
  readonly types: readonly TypeDef[];
  readonly classes: readonly ClassDef[];
  readonly xperms: XpermEntry[];
  readonly other: OtherStatement[];
  /** unconditional keys (keyCode, offset) in read order; set up and checked by readAvtab */
  keys?: UnconditionalKeys;
  /** conditional type-rule keys read so far (keyCode → where each occurrence is) */
  readonly condTypeKeys?: Map<number, Array<{ node: number; branch: 'true' | 'false'; at: number }>>;
}

/** kind bit → 1..9, so that a key fits in 52 bits: source u16, target u16, class u16, kind 4 bits */
function keyCode(source: number, target: number, tclass: number, kind: number): number {
  return ((source * 0x10000 + target) * 0x10000 + tclass) * 16 + (31 - Math.clz32(kind));
}

const KIND_NAMES: Record<number, string> = {
  [AVTAB_ALLOWED]: 'allow',
  [AVTAB_AUDITALLOW]: 'auditallow',
  [AVTAB_AUDITDENY]: 'dontaudit',
  [AVTAB_TRANSITION]: 'type_transition',
  [AVTAB_MEMBER]: 'type_member',
  [AVTAB_CHANGE]: 'type_change',
};

function describeKey(ctx: AvtabContext, source: number, target: number, tclass: number, kind: number): string {
  return `${KIND_NAMES[kind] ?? `kind 0x${kind.toString(16)}`} ${ctx.types[source - 1]!.name} ${ctx.types[target - 1]!.name}:${ctx.classes[tclass - 1]!.name}`;
}

/**
 * The unconditional keys, collected while reading and checked once at the end by sorting (a hash of
 * 52-bit keys costs more than the whole read). Sized by the element count, which the cursor has
 * already bounded by the bytes left.
 */
class UnconditionalKeys {
  readonly codes: Float64Array;
  readonly offsets: Float64Array;
  n = 0;
  private sorted: Float64Array | undefined;

  constructor(capacity: number) {
    this.codes = new Float64Array(capacity);
    this.offsets = new Float64Array(capacity);
  }

  add(code: number, at: number): void {
    this.codes[this.n] = code;
    this.offsets[this.n++] = at;
  }

  /** Sorts; returns the first key that occurs twice with both offsets, if any. */
  seal(): { code: number; first: number; second: number } | undefined {
    const sorted = this.codes.slice(0, this.n).sort();
    this.sorted = sorted;
    let dup = -1;
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] === sorted[i - 1]) {
        dup = sorted[i]!;
        break;
      }
    }
    if (dup < 0) return undefined;
    // error path only: the two earliest items with that key, in file order
    const at: number[] = [];
    for (let i = 0; i < this.n && at.length < 2; i++) if (this.codes[i] === dup) at.push(this.offsets[i]!);
    return { code: dup, first: at[0]!, second: at[1]! };
  }

  /** Offset of an item with this key (after seal), or undefined. */
  find(code: number): number | undefined {
    const s = this.sorted;
    if (!s) return undefined;
    let lo = 0;
    let hi = s.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! < code) lo = mid + 1;
      else if (s[mid]! > code) hi = mid - 1;
      else {
        for (let i = 0; i < this.n; i++) if (this.codes[i] === code) return this.offsets[i];
        return undefined;
      }
    }
    return undefined;
  }
}

/**
 * An unconditional key (source, target, class, kind) may appear once: libsepol and the kernel refuse
 * a second item (S avtab.c avtab_insert → SEPOL_EEXIST; K ss/avtab.c avtab_insert → -EEXIST).
 * Extended-permission items are exempt there ("not necessarily unique": one per driver) and here.
 * Recorded here, checked at the end of the table (checkUniqueKeys).
 */
function recordKey(ctx: AvtabContext, at: number, source: number, target: number, tclass: number, kind: number): void {
  ctx.keys?.add(keyCode(source, target, tclass, kind), at);
}

function checkUniqueKeys(c: Cursor, ctx: AvtabContext): void {
  const dup = ctx.keys?.seal();
  if (!dup) return;
  const kind = 1 << dup.code % 16;
  const rest = Math.floor(dup.code / 16);
  const tclass = rest % 0x10000;
  const target = Math.floor(rest / 0x10000) % 0x10000;
  const source = Math.floor(rest / 0x100000000);
  c.fail(`duplicate avtab key (${describeKey(ctx, source, target, tclass, kind)}), first at byte ${dup.first}: libsepol and the kernel refuse it`, dup.second);
}

/**
 * Conditional type rules (S conditional.c cond_insertf, K ss/conditional.c cond_insertf): a key
 * that has an unconditional type rule is refused; a true-list key must be new among all
 * conditional type rules; a false-list key may repeat only one entry, and only one in the true
 * list of its own node. Conditional AV items may repeat (they are merged per list below).
 */
function checkCondTypeRule(c: Cursor, ctx: AvtabContext, at: number, cond: CondTag, source: number, target: number, tclass: number, kind: number): void {
  const code = keyCode(source, target, tclass, kind);
  const key = describeKey(ctx, source, target, tclass, kind);
  const uncond = ctx.keys?.find(code);
  if (uncond !== undefined) c.fail(`conditional type rule (${key}) conflicts with the unconditional rule at byte ${uncond}`, at);
  const map = ctx.condTypeKeys;
  if (!map) return;
  const prev = map.get(code);
  if (prev) {
    const ok = cond.branch === 'false' && prev.length === 1 && prev[0]!.node === cond.index && prev[0]!.branch === 'true';
    if (!ok) c.fail(`conflicting conditional type rules (${key}), first at byte ${prev[0]!.at}`, at);
    prev.push({ node: cond.index, branch: cond.branch, at });
  } else map.set(code, [{ node: cond.index, branch: cond.branch, at }]);
}

/** Where an item goes: the unconditional table, or one branch of conditional node `index`. */
interface CondTag {
  readonly index: number;
  readonly branch: 'true' | 'false';
}

/** Expand a 256-bit xperm datum into inclusive 16-bit command ranges. */
export function xpermRanges(kind: number, driver: number, words: readonly number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const push = (lo: number, hi: number): void => {
    const last = ranges[ranges.length - 1];
    if (last && last[1] + 1 === lo) last[1] = hi;
    else ranges.push([lo, hi]);
  };
  for (let bit = 0; bit < 256; bit++) {
    if (((words[bit >>> 5]! >>> (bit & 31)) & 1) === 0) continue;
    if (kind === AVTAB_XPERMS_IOCTLDRIVER) push(bit << 8, (bit << 8) | 0xff);
    else push((driver << 8) | bit, (driver << 8) | bit);
  }
  return ranges;
}

/**
 * Read one item. Unconditional AV entries are appended to `av`; conditional ones to `av` as well
 * (the caller passes the branch list). Returns nothing; other kinds go to ctx.xperms / ctx.other.
 */
function readItem(c: Cursor, ctx: AvtabContext, av: AvEntry[], cond: CondTag | undefined): void {
  const at = c.pos;
  // Fast path for the common case, an AV entry (key + u32 datum) with valid fields.
  if (c.length - at >= MIN_ITEM_BYTES) {
    const view = c.view;
    const source = view.getUint16(at, true);
    const target = view.getUint16(at + 2, true);
    const tclass = view.getUint16(at + 4, true);
    const kind = view.getUint16(at + 6, true) & ~AVTAB_ENABLED;
    const ntypes = ctx.types.length;
    if (
      (kind === AVTAB_ALLOWED || kind === AVTAB_AUDITDENY || kind === AVTAB_AUDITALLOW) &&
      source !== 0 &&
      source <= ntypes &&
      target !== 0 &&
      target <= ntypes &&
      tclass !== 0 &&
      tclass <= ctx.classes.length
    ) {
      if (!cond) recordKey(ctx, at, source, target, tclass, kind);
      c.pos = at + MIN_ITEM_BYTES;
      av.push({ source, target, tclass, specified: kind as AvSpecified, data: view.getUint32(at + 8, true) });
      return;
    }
  }
  readItemSlow(c, ctx, av, cond);
}

/** Every other item kind, and every error, with exact offsets. */
function readItemSlow(c: Cursor, ctx: AvtabContext, av: AvEntry[], cond: CondTag | undefined): void {
  const at = c.pos;
  if (c.remaining < 8) c.fail(`truncated: avtab item key needs 8 bytes, ${c.remaining} left`, at);
  const view = c.view;
  const source = view.getUint16(at, true);
  const target = view.getUint16(at + 2, true);
  const tclass = view.getUint16(at + 4, true);
  const specifiedRaw = view.getUint16(at + 6, true);
  c.pos = at + 8;
  const ntypes = ctx.types.length;
  if (source === 0 || source > ntypes) c.fail(`source type ${source} out of range 1..${ntypes}`, at);
  if (target === 0 || target > ntypes) c.fail(`target type ${target} out of range 1..${ntypes}`, at + 2);
  if (tclass === 0 || tclass > ctx.classes.length) c.fail(`class ${tclass} out of range 1..${ctx.classes.length}`, at + 4);
  const kind = specifiedRaw & ~AVTAB_ENABLED;
  if ((kind & ~KNOWN_KINDS) !== 0 || kind === 0 || (kind & (kind - 1)) !== 0) {
    c.fail(`specified 0x${specifiedRaw.toString(16)} must name exactly one rule kind`, at + 6);
  }
  if ((kind & AVTAB_XPERMS) !== 0) {
    if (ctx.version < POLICYDB_VERSION_XPERMS_IOCTL) c.fail(`extended permissions need policy version ${POLICYDB_VERSION_XPERMS_IOCTL}`, at + 6);
    if (cond && ctx.version < POLICYDB_VERSION_COND_XPERMS) {
      c.fail(`extended permissions in a conditional need policy version ${POLICYDB_VERSION_COND_XPERMS}`, at + 6);
    }
    const xAt = c.pos;
    if (c.remaining < XPERM_DATUM_BYTES) c.fail(`truncated: extended permission datum needs ${XPERM_DATUM_BYTES} bytes, ${c.remaining} left`, xAt);
    const xkind = c.u8();
    const driver = c.u8();
    const words: number[] = [];
    for (let i = 0; i < 8; i++) words.push(c.u32());
    if (xkind !== AVTAB_XPERMS_IOCTLFUNCTION && xkind !== AVTAB_XPERMS_IOCTLDRIVER && xkind !== AVTAB_XPERMS_NLMSG) {
      c.fail(`unknown extended permission kind ${xkind}`, xAt);
    }
    if (words.every((w) => w === 0)) c.fail('extended permission rule with no permissions', xAt + 2);
    const operation = xkind === AVTAB_XPERMS_NLMSG ? 'nlmsg' : 'ioctl';
    const ranges = xpermRanges(xkind, driver, words);
    const xk = XPERM_KIND[kind]!;
    if (!cond) {
      ctx.xperms.push({ source, target, tclass, kind: xk, operation, ranges });
    } else {
      const args = [ctx.types[source - 1]!.name, ctx.types[target - 1]!.name, ctx.classes[tclass - 1]!.name, operation];
      for (const [lo, hi] of ranges) args.push(lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`);
      args.push('cond', String(cond.index), cond.branch);
      ctx.other.push({ kind: xk, args });
    }
    return;
  }
  const dataAt = c.pos;
  const data = c.u32();
  if ((kind & (AVTAB_TRANSITION | AVTAB_MEMBER | AVTAB_CHANGE)) !== 0) {
    if (data === 0 || data > ntypes) c.fail(`new type ${data} out of range 1..${ntypes}`, dataAt);
    if (cond) checkCondTypeRule(c, ctx, at, cond, source, target, tclass, kind);
    else recordKey(ctx, at, source, target, tclass, kind);
    const args = [ctx.types[source - 1]!.name, ctx.types[target - 1]!.name, ctx.classes[tclass - 1]!.name, ctx.types[data - 1]!.name];
    if (cond) args.push('cond', String(cond.index), cond.branch);
    ctx.other.push({ kind: TYPE_RULE_KIND[kind]!, args });
    return;
  }
  if (!cond) recordKey(ctx, at, source, target, tclass, kind);
  av.push({ source, target, tclass, specified: kind as AvSpecified, data });
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** The unconditional avtab: `[nel]` + items. The kernel rejects an empty table. */
export function readAvtab(c: Cursor, ctx: AvtabContext): AvEntry[] {
  c.section = 'avtab';
  const at = c.pos;
  const nel = c.count(MIN_ITEM_BYTES, 'avtab item');
  if (nel === 0) c.fail('the avtab is empty', at);
  const av: AvEntry[] = [];
  ctx.keys = new UnconditionalKeys(nel);
  for (let i = 0; i < nel; i++) readItem(c, ctx, av, undefined);
  checkUniqueKeys(c, ctx);
  return av;
}

/**
 * One branch list. libsepol may write several items with the same key in one list (e.g. one per
 * source rule); they are merged here as the model requires (OR for allowed/auditallow, AND for
 * auditdeny), which is exactly how cond_compute_av combines them.
 */
function readCondList(c: Cursor, ctx: AvtabContext, tag: CondTag): AvEntry[] {
  const n = c.count(MIN_ITEM_BYTES, `conditional ${tag.branch} list item`);
  const raw: AvEntry[] = [];
  for (let i = 0; i < n; i++) readItem(c, ctx, raw, tag);
  const byKey = new Map<string, AvEntry>();
  const out: AvEntry[] = [];
  for (const e of raw) {
    const key = `${e.source},${e.target},${e.tclass},${e.specified}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, e);
      out.push(e);
    } else if (e.specified === AVTAB_AUDITDENY) prev.data = (prev.data & e.data) >>> 0;
    else prev.data = (prev.data | e.data) >>> 0;
  }
  return out;
}

/**
 * Conditional nodes (v>=16). Expression tokens: op 1..7 (COND_BOOL..COND_NEQ); a COND_BOOL token
 * names a boolean 1..nbools; other tokens carry bool 0 in the model. Well-formedness of the postfix
 * expression (stack depth) is not a load error: evaluation treats a malformed expression as
 * "neither branch enabled" (S conditional.c:cond_evaluate_expr returns -1).
 */
export function readConditionals(c: Cursor, ctx: AvtabContext, nbools: number): CondNode[] {
  c.section = 'conditionals';
  const n = c.count(16, 'conditional node');
  const nodes: CondNode[] = [];
  for (let i = 0; i < n; i++) {
    c.u32(); // cur_state: recomputed by consumers, never trusted
    const nexpr = c.count(8, 'conditional expression token');
    const expr: CondExprToken[] = [];
    for (let j = 0; j < nexpr; j++) {
      const at = c.pos;
      const op = c.u32();
      const bool = c.u32();
      if (op < COND_BOOL || op > COND_NEQ) c.fail(`conditional node ${i}: unknown operator ${op}`, at);
      if (op === COND_BOOL) {
        if (bool === 0 || bool > nbools) c.fail(`conditional node ${i}: boolean ${bool} out of range 1..${nbools}`, at + 4);
        expr.push({ op, bool });
      } else {
        if (bool > nbools) c.fail(`conditional node ${i}: boolean ${bool} out of range 0..${nbools}`, at + 4);
        expr.push({ op, bool: 0 });
      }
    }
    const trueList = readCondList(c, ctx, { index: i, branch: 'true' });
    const falseList = readCondList(c, ctx, { index: i, branch: 'false' });
    nodes.push({ expr, trueList, falseList });
  }
  return nodes;
}
