/**
 * The `svirt compute-av` line protocol: access queries in, one tab-separated decision per query out.
 * The same format is printed by the libsepol harness (test/conformance/harness.c), so the two can be
 * compared line by line.
 *
 * Input, one query a line:   SCONTEXT TCONTEXT TCLASS [PERM ...]
 *   - fields are separated by blanks (space, tab, CR, LF, VT, FF);
 *   - permissions are separated by blanks and/or commas and may be wrapped in ONE pair of braces
 *     (`{ read, write }`); braces around nothing (only blanks/commas), unbalanced or inner braces are
 *     MALFORMED;
 *   - `#` starts a comment that runs to the end of the line; blank lines give no output.
 *
 * Output, one line per query:  SCONTEXT \t TCONTEXT \t TCLASS \t REQUESTED \t VERDICT \t ALLOWED
 *   - SCONTEXT/TCONTEXT/TCLASS echo the input tokens (`-` for a token missing on a MALFORMED line);
 *   - REQUESTED: requested permission names sorted by name, space-separated; `*` when none; `-` on
 *     ERR lines;
 *   - VERDICT: `allow`; `deny:R,...` with R from TE, CONS, RBAC, BOUNDS in that order (libsepol's
 *     reason bits for the requested permissions) plus `BOOL` last when a conditional rule that is
 *     currently disabled would grant a permission type enforcement denied; `-` when nothing was
 *     requested; `ERR:MALFORMED|BADSCON|BADTCON|BADCLASS|BADPERM` for a line that cannot be
 *     answered (checked in that order; processing continues with the next line);
 *   - ALLOWED: the class's whole allowed vector, names sorted, space-separated; `-` when empty and on
 *     ERR lines. Bits without a permission name are not printed.
 *
 * BOOL, precisely: te = the TE-stage allowed vector (unconditional + enabled conditional entries over
 * typeAttrMap(source) × typeAttrMap(target)); off = the OR of ALLOWED entries of currently disabled
 * conditional branches over the same keys; BOOL iff (requested & ~te & off) ≠ 0.
 */
import type { SecurityServer } from '../types.js';
import { REASON_BOUNDS, REASON_CONS, REASON_RBAC, REASON_TE } from '../types.js';
import { SvirtError } from '../errors.js';
import { AVTAB_ALLOWED, buildSymbolIndex, type PolicyModel, type SymbolIndex } from '../policy/model.js';
import { condBranchEnabled, condResults } from './reference.js';

export type QueryErrorCode = 'MALFORMED' | 'BADSCON' | 'BADTCON' | 'BADCLASS' | 'BADPERM';

/** A parsed query line. `error` is set (MALFORMED) when the line's shape is wrong. */
export interface QueryLine {
  readonly scontext: string | undefined;
  readonly tcontext: string | undefined;
  readonly tclass: string | undefined;
  readonly perms: readonly string[];
  readonly error?: 'MALFORMED';
}

export interface QueryCounts {
  /** answered lines (blank and comment lines excluded) */
  queries: number;
  allow: number;
  deny: number;
  /** nothing requested: VERDICT `-` */
  none: number;
  /** ERR lines, all kinds */
  errors: number;
  byError: Record<QueryErrorCode, number>;
}

export interface QueryAnswers {
  readonly lines: string[];
  readonly counts: QueryCounts;
}

/** The blank characters of the protocol: C isspace in the "C" locale (space, \t \n \v \f \r). */
const BLANKS_OR_COMMAS = /[ \t\r\n\v\f,]+/;

function isBlankCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Parse one line; undefined for a blank or comment-only line. */
export function parseQueryLine(raw: string): QueryLine | undefined {
  const hash = raw.indexOf('#');
  const line = hash >= 0 ? raw.slice(0, hash) : raw;
  const fields: string[] = [];
  let p = 0;
  while (fields.length < 3) {
    while (p < line.length && isBlankCode(line.charCodeAt(p))) p++;
    if (p >= line.length) break;
    const start = p;
    while (p < line.length && !isBlankCode(line.charCodeAt(p))) p++;
    fields.push(line.slice(start, p));
  }
  if (fields.length === 0) return undefined;
  const [scontext, tcontext, tclass] = fields;
  if (fields.length < 3) return { scontext, tcontext, tclass, perms: [], error: 'MALFORMED' };

  let start = p;
  let end = line.length;
  while (start < end && isBlankCode(line.charCodeAt(start))) start++;
  while (end > start && isBlankCode(line.charCodeAt(end - 1))) end--;
  const open = start < end && line[start] === '{';
  if (open) start++;
  const close = end > start && line[end - 1] === '}';
  if (close) end--;
  const body = line.slice(start, end);
  if (open !== close || body.includes('{') || body.includes('}') || (open && body.split(BLANKS_OR_COMMAS).every((t) => t === ''))) {
    return { scontext, tcontext, tclass, perms: [], error: 'MALFORMED' };
  }
  const perms = body.split(BLANKS_OR_COMMAS).filter((s) => s.length > 0);
  return { scontext, tcontext, tclass, perms };
}

function emptyCounts(): QueryCounts {
  return { queries: 0, allow: 0, deny: 0, none: 0, errors: 0, byError: { MALFORMED: 0, BADSCON: 0, BADTCON: 0, BADCLASS: 0, BADPERM: 0 } };
}

/** Permission names of `mask` in `tclass`, sorted by name (unnamed bits skipped). */
function sortedPermNames(model: PolicyModel, tclass: number, mask: number): string[] {
  const perms = model.classes[tclass - 1]?.perms ?? [];
  const names: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if ((mask >>> bit) & 1) {
      const name = perms[bit];
      if (name !== undefined) names.push(name);
    }
  }
  return names.sort(compareNames);
}

/** strcmp order (the harness sorts with strcmp); permission names are ASCII. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * ALLOWED avtab entries by numeric key (source, target, class) for the BOOL check: unconditional
 * data OR-merged, conditional entries kept per (node, branch). Built once per model object.
 * Key = source * 2^32 + target * 2^16 + class (all values < 2^16, so the key is an exact integer).
 */
interface AllowIndex {
  readonly uncond: Map<number, number>;
  readonly cond: Map<number, Array<{ readonly node: number; readonly branch: boolean; readonly data: number }>>;
}

const allowIndexCache = new WeakMap<PolicyModel, AllowIndex>();

function teKey(source: number, target: number, tclass: number): number {
  return source * 4294967296 + target * 65536 + tclass;
}

function allowIndex(model: PolicyModel): AllowIndex {
  const cached = allowIndexCache.get(model);
  if (cached) return cached;
  const uncond = new Map<number, number>();
  const cond: AllowIndex['cond'] = new Map();
  for (const e of model.avtab) {
    if (e.specified !== AVTAB_ALLOWED) continue;
    const k = teKey(e.source, e.target, e.tclass);
    uncond.set(k, ((uncond.get(k) ?? 0) | e.data) >>> 0);
  }
  model.conds.forEach((n, node) => {
    for (const branch of [true, false]) {
      for (const e of branch ? n.trueList : n.falseList) {
        if (e.specified !== AVTAB_ALLOWED) continue;
        const k = teKey(e.source, e.target, e.tclass);
        const list = cond.get(k);
        const item = { node, branch, data: e.data };
        if (list) list.push(item);
        else cond.set(k, [item]);
      }
    }
  });
  const built = { uncond, cond };
  allowIndexCache.set(model, built);
  return built;
}

const REASONS: ReadonlyArray<readonly [number, string]> = [
  [REASON_TE, 'TE'],
  [REASON_CONS, 'CONS'],
  [REASON_RBAC, 'RBAC'],
  [REASON_BOUNDS, 'BOUNDS'],
];

/**
 * Answers query lines against one server. Keeps per-model lookup state (symbol index, the boolean
 * condition results for the server's current seqno) so a long stream stays cheap.
 */
export class QueryAnswerer {
  readonly counts: QueryCounts = emptyCounts();
  private model: PolicyModel | undefined;
  private index: SymbolIndex | undefined;
  private condSeqno = -1;
  private conds: Int8Array = new Int8Array(0);
  /** per class value: OR of the ALLOWED data of every currently disabled conditional entry */
  private disabledByClass = new Map<number, number>();

  constructor(private readonly server: SecurityServer) {}

  /** The output line for one input line; undefined for blank/comment lines. */
  answer(raw: string): string | undefined {
    const q = parseQueryLine(raw);
    if (!q) return undefined;
    this.counts.queries++;
    const head = `${q.scontext ?? '-'}\t${q.tcontext ?? '-'}\t${q.tclass ?? '-'}\t`;
    const err = (code: QueryErrorCode): string => {
      this.counts.errors++;
      this.counts.byError[code]++;
      return `${head}-\tERR:${code}\t-`;
    };
    if (q.error || q.scontext === undefined || q.tcontext === undefined || q.tclass === undefined) return err('MALFORMED');

    const ssid = this.resolve(() => this.server.contextToSid(q.scontext!));
    if (ssid === undefined) return err('BADSCON');
    const tsid = this.resolve(() => this.server.contextToSid(q.tcontext!));
    if (tsid === undefined) return err('BADTCON');
    const tclass = this.resolve(() => this.server.classValue(q.tclass!));
    if (tclass === undefined) return err('BADCLASS');
    const requested = this.resolve(() => this.server.permMask(tclass, q.perms));
    if (requested === undefined) return err('BADPERM');

    const model = this.currentModel();
    const avd = this.server.computeAvReason(ssid, tsid, tclass, requested);
    const reqText = requested === 0 ? '*' : sortedPermNames(model, tclass, requested).join(' ');
    let verdict: string;
    if (requested === 0) {
      verdict = '-';
      this.counts.none++;
    } else if (avd.reason === 0) {
      verdict = 'allow';
      this.counts.allow++;
    } else {
      const reasons = REASONS.filter(([bit]) => (avd.reason & bit) !== 0).map(([, name]) => name);
      if ((avd.reason & REASON_TE) !== 0 && this.boolWouldGrant(ssid, tsid, tclass, requested)) reasons.push('BOOL');
      verdict = `deny:${reasons.join(',')}`;
      this.counts.deny++;
    }
    const allowed = sortedPermNames(model, tclass, avd.allowed >>> 0);
    return `${head}${reqText}\t${verdict}\t${allowed.length > 0 ? allowed.join(' ') : '-'}`;
  }

  /**
   * Runs one resolution step; any SvirtError (a typed "bad input" failure, e.g. E_CONTEXT,
   * E_UNKNOWN_CLASS, E_UNKNOWN_PERM) becomes undefined so the line is answered with its ERR code.
   * Anything else is a bug and propagates.
   */
  private resolve<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      if (e instanceof SvirtError) return undefined;
      throw e;
    }
  }

  private currentModel(): PolicyModel {
    const model = this.server.model;
    if (model !== this.model) {
      this.model = model;
      this.index = buildSymbolIndex(model);
      this.condSeqno = -1;
    }
    return model;
  }

  /** Cond-node results (1 true list on, 0 false list on, -1 both off) for the server's booleans now. */
  private condResultsNow(model: PolicyModel): Int8Array {
    if (this.condSeqno !== this.server.seqno) {
      const states = model.bools.map((b) => this.server.getBoolean(b.name));
      this.conds = condResults(model, states);
      this.condSeqno = this.server.seqno;
      this.disabledByClass = new Map();
      model.conds.forEach((node, i) => {
        for (const branch of [true, false]) {
          if (condBranchEnabled(this.conds, i, branch)) continue;
          for (const e of branch ? node.trueList : node.falseList) {
            if (e.specified !== AVTAB_ALLOWED) continue;
            this.disabledByClass.set(e.tclass, ((this.disabledByClass.get(e.tclass) ?? 0) | e.data) >>> 0);
          }
        }
      });
    }
    return this.conds;
  }

  private typeOfSid(sid: number): number {
    // canonical context text: user:role:type[:level]; the type is the third field
    const type = this.server.sidToContext(sid).split(':')[2] ?? '';
    return this.index!.types.get(type)?.value ?? 0;
  }

  /** See the module comment: does a disabled conditional rule grant a TE-denied requested perm? */
  private boolWouldGrant(ssid: number, tsid: number, tclass: number, requested: number): boolean {
    const model = this.currentModel();
    const results = this.condResultsNow(model);
    // cheap exit: no disabled rule of this class grants any requested permission
    if (((this.disabledByClass.get(tclass) ?? 0) & requested) === 0) return false;
    const stype = this.typeOfSid(ssid);
    const ttype = this.typeOfSid(tsid);
    if (stype === 0 || ttype === 0) return false;
    const index = allowIndex(model);
    let te = 0;
    let off = 0;
    for (const s of model.typeAttrMap[stype - 1] ?? []) {
      for (const t of model.typeAttrMap[ttype - 1] ?? []) {
        const k = teKey(s, t, tclass);
        te |= index.uncond.get(k) ?? 0;
        for (const c of index.cond.get(k) ?? []) {
          if (condBranchEnabled(results, c.node, c.branch)) te |= c.data;
          else off |= c.data;
        }
      }
    }
    return (requested & ~te & off) !== 0;
  }
}

/** Answers every line of `text` (see the module comment for the format). */
export function answerQueries(server: SecurityServer, text: string): QueryAnswers {
  const answerer = new QueryAnswerer(server);
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const out = answerer.answer(raw);
    if (out !== undefined) lines.push(out);
  }
  return { lines, counts: answerer.counts };
}

/**
 * Streaming variant: consumes text chunks (any split, e.g. a readable stream with utf8 encoding) and
 * yields one output line per query as soon as its input line is complete. `counts` fills as it goes.
 */
export async function* answerQueryStream(
  server: SecurityServer,
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  counts?: (c: QueryCounts) => void,
): AsyncGenerator<string, QueryCounts> {
  const answerer = new QueryAnswerer(server);
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let from = 0;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const out = answerer.answer(pending.slice(from, nl));
      if (out !== undefined) yield out;
      from = nl + 1;
      nl = pending.indexOf('\n', from);
    }
    pending = pending.slice(from);
  }
  pending += decoder.decode();
  if (pending.length > 0) {
    const out = answerer.answer(pending);
    if (out !== undefined) yield out;
  }
  counts?.(answerer.counts);
  return answerer.counts;
}
