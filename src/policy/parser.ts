/**
 * Recursive-descent parser for the kernel policy language (policy.conf) as `checkpolicy -F` writes
 * it, following the grammar of S checkpolicy/policy_parse.y. It accepts statements in any order
 * (checkpolicy insists on its section order; the compiler resolves names after the whole file is
 * read, like checkpolicy's two passes), and produces a PolicyAst with source offsets.
 *
 * Errors never stop the parse: each is recorded in `Diagnostics` with its location, then the parser
 * skips to the next `;` (or past a balanced `{ … }`, or to a statement keyword at the start of a line)
 * and continues, so one run reports every syntax error.
 *
 * Precedences are checkpolicy's: conditionals `||` < `^` < `&&` < `!` < `==` `!=` (so `! a == b` is
 * `!(a == b)`); constraints `or` < `and` < `not`. Both expressions are built in postfix order.
 */
import type {
  CatItem,
  ConstraintAstNode,
  ContextExpr,
  CondAstToken,
  LevelExpr,
  NameRef,
  NameSet,
  PolicyAst,
  RangeExpr,
  Statement,
} from './ast.js';
import { EMPTY } from './ast.js';
import {
  Lexer,
  T_AND,
  T_BAD,
  T_COLON,
  T_COMMA,
  T_EOF,
  T_EQ,
  T_IDENT,
  T_LBRACE,
  T_LPAREN,
  T_MINUS,
  T_NEQ,
  T_NOT,
  T_NUMBER,
  T_OR,
  T_PATH,
  T_RBRACE,
  T_RPAREN,
  T_SEMI,
  T_STAR,
  T_STRING,
  T_TILDE,
  T_WORD,
  T_XOR,
  numberValue,
  tokenName,
} from './lexer.js';
import {
  CEXPR_AND,
  CEXPR_ATTR,
  CEXPR_DOM,
  CEXPR_DOMBY,
  CEXPR_EQ,
  CEXPR_H1H2,
  CEXPR_H1L2,
  CEXPR_INCOMP,
  CEXPR_L1H1,
  CEXPR_L1H2,
  CEXPR_L1L2,
  CEXPR_L2H2,
  CEXPR_NAMES,
  CEXPR_NEQ,
  CEXPR_NOT,
  CEXPR_OR,
  CEXPR_ROLE,
  CEXPR_TARGET,
  CEXPR_TYPE,
  CEXPR_USER,
  CEXPR_XTARGET,
  COND_AND,
  COND_BOOL,
  COND_EQ,
  COND_NEQ,
  COND_NOT,
  COND_OR,
  COND_XOR,
} from './model.js';
import type { Diagnostics } from './compile/diagnostics.js';
import { quoteInput } from '../errors.js';

/** names collected while parsing a braced set */
interface SetAcc {
  names: string[];
  namePos: number[];
  excluded?: string[];
  excludedPos?: number[];
}

/** Thrown inside a statement; caught by the statement loop, which records it and recovers. */
class ParseFailure {
  constructor(
    readonly pos: number,
    readonly message: string,
  ) {}
}

/** Every keyword that starts a statement (used to resynchronise after an error). */
const STATEMENT_KEYWORDS = new Set([
  'class', 'common', 'sid', 'default_user', 'default_role', 'default_type', 'default_range',
  'sensitivity', 'dominance', 'category', 'level', 'mlsconstrain', 'mlsvalidatetrans', 'constrain',
  'validatetrans', 'policycap', 'attribute', 'type', 'typealias', 'typeattribute', 'typebounds', 'bool',
  'permissive', 'allow', 'auditallow', 'auditdeny', 'dontaudit', 'neverallow', 'allowxperm',
  'auditallowxperm', 'dontauditxperm', 'neverallowxperm', 'type_transition', 'type_member',
  'type_change', 'role', 'role_transition', 'user', 'range_transition', 'if', 'fs_use_xattr',
  'fs_use_task', 'fs_use_trans', 'genfscon', 'portcon', 'netifcon', 'nodecon', 'ibpkeycon',
  'ibendportcon', 'fscon', 'pirqcon', 'iomemcon', 'ioportcon', 'pcidevicecon', 'devicetreecon',
  'expandattribute', 'tunable', 'neveraudit', 'module', 'require', 'optional', 'attribute_role',
  'roleattribute',
]);

/** Module-language and newer statements this front end does not compile (reported, never skipped). */
const UNSUPPORTED = new Map<string, string>([
  ['tunable', 'tunables are not supported; declare a bool instead'],
  ['neveraudit', 'neveraudit (policy version 35) is not supported'],
  ['module', 'policy modules are not supported; compile a base policy (checkpolicy -F output)'],
  ['require', 'require blocks (module language) are not supported'],
  ['optional', 'optional blocks (module language) are not supported'],
  ['attribute_role', 'role attributes are not supported'],
  ['roleattribute', 'role attributes are not supported'],
]);

// a Map: indexed by identifiers from the policy text (`constructor` must not find Object.prototype's)
const CONSTRAINT_OPERANDS = new Map<string, number>(Object.entries({
  u1: 1, u2: 2, u3: 3, r1: 4, r2: 5, r3: 6, t1: 7, t2: 8, t3: 9, l1: 10, l2: 11, h1: 12, h2: 13,
}));

export function parsePolicy(text: string, diags: Diagnostics): PolicyAst {
  return new Parser(text, diags).parseFile();
}

class Parser {
  private readonly lx: Lexer;
  /** offset of the first token of the statement being parsed */
  private stmtStart = 0;
  /** top-level empty statements (`;`), which checkpolicy counts as TE/RBAC declarations */
  private emptyStatements = 0;

  constructor(
    private readonly text: string,
    private readonly diags: Diagnostics,
  ) {
    this.lx = new Lexer(text);
  }

  parseFile(): PolicyAst {
    const statements: Statement[] = [];
    this.parseStatements(statements, false);
    const hu = this.lx.handleUnknownComment;
    const ast: PolicyAst = hu ? { statements, handleUnknownComment: hu } : { statements };
    return this.emptyStatements > 0 ? { ...ast, emptyStatements: this.emptyStatements } : ast;
  }

  // ---- token helpers -------------------------------------------------------------------------

  private fail(message: string, pos = this.lx.start): never {
    throw new ParseFailure(pos, message);
  }

  private describe(): string {
    const lx = this.lx;
    if (lx.kind === T_EOF) return 'end of file';
    if (lx.kind === T_IDENT || lx.kind === T_NUMBER || lx.kind === T_WORD) return quoteInput(lx.value);
    if (lx.kind === T_BAD) return `unexpected character ${quoteInput(lx.value)}`;
    return tokenName(lx.kind);
  }

  private expect(kind: number, what?: string): void {
    if (this.lx.kind !== kind) this.fail(`expected ${what ?? tokenName(kind)}, found ${this.describe()}`);
    this.lx.next();
  }

  private isKeyword(word: string): boolean {
    return this.lx.kind === T_IDENT && this.lx.value === word;
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(`expected '${word}', found ${this.describe()}`);
    this.lx.next();
  }

  private ident(what = 'identifier'): NameRef {
    const lx = this.lx;
    if (lx.kind !== T_IDENT) this.fail(`expected ${what}, found ${this.describe()}`);
    const ref = { name: lx.value, pos: lx.start };
    lx.next();
    return ref;
  }

  private number(what = 'number'): number {
    const lx = this.lx;
    if (lx.kind !== T_NUMBER) this.fail(`expected ${what}, found ${this.describe()}`);
    const v = numberValue(lx.value);
    if (!Number.isFinite(v) || v > 0xffffffff) this.fail(`number '${lx.value}' out of range`);
    lx.next();
    return v;
  }

  // ---- statement loop and recovery -------------------------------------------------------------

  /** Parses statements until EOF (top level) or a `}` (block, not consumed). */
  private parseStatements(out: Statement[], inBlock: boolean): void {
    const lx = this.lx;
    for (;;) {
      if (lx.kind === T_EOF) return;
      if (lx.kind === T_RBRACE && inBlock) return;
      this.stmtStart = lx.start;
      try {
        const st = this.parseStatement(inBlock);
        if (st) out.push(st);
      } catch (e) {
        if (!(e instanceof ParseFailure)) throw e;
        this.diags.error(e.pos, e.message);
        this.recover(inBlock);
      }
    }
  }

  /**
   * Skip to a resynchronisation point: after the next `;` at brace depth 0, after a balanced
   * `{ … }` group, before a `}` closing the enclosing block, or before a statement keyword that
   * starts a line (other than where the failed statement started).
   */
  private recover(inBlock: boolean): void {
    const lx = this.lx;
    let depth = 0;
    for (;;) {
      const k = lx.kind;
      if (k === T_EOF) return;
      if (depth === 0 && k === T_IDENT && lx.atLineStart && lx.start !== this.stmtStart && STATEMENT_KEYWORDS.has(lx.value)) {
        return;
      }
      if (k === T_SEMI && depth === 0) {
        lx.next();
        return;
      }
      if (k === T_LBRACE) depth++;
      else if (k === T_RBRACE) {
        if (depth === 0) {
          if (inBlock) return;
          lx.next();
          return;
        }
        depth--;
        if (depth === 0) {
          lx.next();
          // a failed `if` leaves its `else { … }`: skip it too
          if (this.isKeyword('else')) {
            lx.next();
            if (lx.kind === T_LBRACE) this.skipGroup();
            return;
          }
          // a group that ends its line ends the statement (`class x { … }`, `if (…) { … }`);
          // one in the middle of a line (`constrain c { p } (…);`) does not
          if (lx.kind === T_SEMI) lx.next();
          else if (!lx.atLineStart && lx.kind !== T_EOF) continue;
          return;
        }
      }
      lx.next();
    }
  }

  private skipGroup(): void {
    const lx = this.lx;
    let depth = 0;
    do {
      if (lx.kind === T_LBRACE) depth++;
      else if (lx.kind === T_RBRACE) depth--;
      lx.next();
    } while (depth > 0 && lx.kind !== T_EOF);
  }

  private parseStatement(inCond: boolean): Statement | undefined {
    const lx = this.lx;
    const pos = lx.start;
    if (lx.kind === T_SEMI) {
      // S policy_parse.y: `;` is a te_rbac_decl, but not a cond_rule_def
      if (inCond) this.fail("an empty statement ';' is not allowed inside a conditional block");
      lx.next();
      this.emptyStatements++;
      return undefined;
    }
    if (lx.kind !== T_IDENT) this.fail(`expected a statement, found ${this.describe()}`);
    const kw = lx.value;
    if (inCond) {
      switch (kw) {
        case 'allow':
        case 'auditallow':
        case 'auditdeny':
        case 'dontaudit':
        case 'type_transition':
        case 'type_member':
        case 'type_change':
          break;
        default:
          this.fail(STATEMENT_KEYWORDS.has(kw) ? `'${kw}' is not allowed inside a conditional block` : `unknown statement '${kw}'`);
      }
    }
    switch (kw) {
      case 'class':
        return this.parseClass(pos);
      case 'common': {
        lx.next();
        const name = this.ident('common name');
        return { kind: 'common', pos, name, perms: this.braceIdents('permission') };
      }
      case 'sid':
        return this.parseSid(pos);
      case 'default_user':
      case 'default_role':
      case 'default_type':
      case 'default_range':
        return this.parseDefault(pos, kw);
      case 'sensitivity':
      case 'category': {
        lx.next();
        const name = this.ident(`${kw} name`);
        const aliases = this.isKeyword('alias') ? (lx.next(), this.aliasList()) : [];
        this.expect(T_SEMI);
        return { kind: kw, pos, name, aliases };
      }
      case 'dominance':
        return this.parseDominance(pos);
      case 'level': {
        lx.next();
        const level = this.parseLevel();
        this.expect(T_SEMI);
        return { kind: 'level', pos, level };
      }
      case 'constrain':
      case 'mlsconstrain': {
        lx.next();
        const classes = this.nameSet('class');
        const perms = this.nameSet('permission');
        const expr = this.parseConstraintExpr();
        this.expect(T_SEMI);
        return { kind: kw, pos, classes, perms, expr };
      }
      case 'validatetrans':
      case 'mlsvalidatetrans': {
        lx.next();
        const classes = this.nameSet('class');
        const expr = this.parseConstraintExpr();
        this.expect(T_SEMI);
        return { kind: kw, pos, classes, expr };
      }
      case 'policycap':
      case 'attribute':
      case 'permissive': {
        lx.next();
        const name = this.ident();
        this.expect(T_SEMI);
        return { kind: kw, pos, name };
      }
      case 'type': {
        lx.next();
        const name = this.ident('type name');
        const aliases = this.isKeyword('alias') ? (lx.next(), this.aliasList()) : [];
        let attrs: NameRef[] = [];
        if (lx.kind === T_COMMA) {
          lx.next();
          attrs = this.commaIdents();
        }
        this.expect(T_SEMI);
        return { kind: 'type', pos, name, aliases, attrs };
      }
      case 'typealias': {
        lx.next();
        const name = this.ident('type name');
        this.expectKeyword('alias');
        const aliases = this.aliasList();
        this.expect(T_SEMI);
        return { kind: 'typealias', pos, name, aliases };
      }
      case 'typeattribute': {
        lx.next();
        const name = this.ident('type name');
        const attrs = this.commaIdents();
        this.expect(T_SEMI);
        return { kind: 'typeattribute', pos, name, attrs };
      }
      case 'typebounds': {
        lx.next();
        const parent = this.ident('type name');
        const children = this.commaIdents();
        this.expect(T_SEMI);
        return { kind: 'typebounds', pos, parent, children };
      }
      case 'bool': {
        lx.next();
        const name = this.ident('boolean name');
        let value: boolean;
        const v = lx.kind === T_IDENT ? lx.value.toLowerCase() : '';
        if (v === 'true') value = true;
        else if (v === 'false') value = false;
        else this.fail(`expected 'true' or 'false', found ${this.describe()}`);
        lx.next();
        this.expect(T_SEMI);
        return { kind: 'bool', pos, name, value };
      }
      case 'allow':
      case 'auditallow':
      case 'auditdeny':
      case 'dontaudit':
      case 'neverallow': {
        lx.next();
        const source = this.nameSet('source type');
        const target = this.nameSet('target type');
        if (kw === 'allow' && lx.kind === T_SEMI && !inCond) {
          lx.next();
          return { kind: 'role_allow', pos, from: source, to: target };
        }
        this.expect(T_COLON, kw === 'allow' && !inCond ? "':' (type rule) or ';' (role allow)" : "':'");
        const classes = this.nameSet('class');
        const perms = this.nameSet('permission');
        this.expect(T_SEMI);
        return { kind: 'avrule', pos, rule: kw, source, target, classes, perms };
      }
      case 'allowxperm':
      case 'auditallowxperm':
      case 'dontauditxperm':
      case 'neverallowxperm':
        return this.parseXperm(pos, kw);
      case 'type_transition':
      case 'type_member':
      case 'type_change': {
        lx.next();
        const source = this.nameSet('source type');
        const target = this.nameSet('target type');
        this.expect(T_COLON);
        const classes = this.nameSet('class');
        const result = this.ident('default type');
        let filename: string | undefined;
        if (lx.kind === T_STRING) {
          if (kw !== 'type_transition') this.fail(`a file name is only allowed in type_transition`);
          if (inCond) this.fail(`type transitions with a file name are not allowed inside conditionals`);
          filename = lx.value;
          lx.next();
        }
        this.expect(T_SEMI);
        return filename === undefined
          ? { kind: 'typerule', pos, rule: kw, source, target, classes, result }
          : { kind: 'typerule', pos, rule: kw, source, target, classes, result, filename };
      }
      case 'role':
        return this.parseRole(pos);
      case 'role_transition': {
        lx.next();
        const roles = this.nameSet('role');
        const types = this.nameSet('type');
        let classes: NameSet | undefined;
        if (lx.kind === T_COLON) {
          lx.next();
          classes = this.nameSet('class');
        }
        const result = this.ident('new role');
        this.expect(T_SEMI);
        return classes ? { kind: 'role_transition', pos, roles, types, classes, result } : { kind: 'role_transition', pos, roles, types, result };
      }
      case 'user':
        return this.parseUser(pos);
      case 'range_transition': {
        lx.next();
        const source = this.nameSet('source type');
        const target = this.nameSet('target type');
        let classes: NameSet | undefined;
        if (lx.kind === T_COLON) {
          lx.next();
          classes = this.nameSet('class');
        }
        const range = this.parseRange();
        this.expect(T_SEMI);
        return classes ? { kind: 'range_transition', pos, source, target, classes, range } : { kind: 'range_transition', pos, source, target, range };
      }
      case 'if':
        return this.parseIf(pos);
      case 'fs_use_xattr':
      case 'fs_use_task':
      case 'fs_use_trans': {
        lx.next();
        const fs = this.fsName();
        const ctx = this.parseContext();
        this.expect(T_SEMI);
        return { kind: 'labeling', pos, keyword: kw, args: [fs, ctx.text], contexts: [ctx] };
      }
      case 'genfscon':
        return this.parseGenfscon(pos);
      case 'portcon': {
        lx.next();
        const proto = this.ident('protocol');
        const ports = this.numberRange('port');
        const ctx = this.parseContext();
        return { kind: 'labeling', pos, keyword: kw, args: [proto.name, ports, ctx.text], contexts: [ctx] };
      }
      case 'netifcon': {
        lx.next();
        const name = this.fsName('interface name');
        const c1 = this.parseContext();
        const c2 = this.parseContext();
        return { kind: 'labeling', pos, keyword: kw, args: [name, c1.text, c2.text], contexts: [c1, c2] };
      }
      case 'nodecon': {
        lx.next();
        const addr = this.address();
        const mask = this.address();
        const ctx = this.parseContext();
        return { kind: 'labeling', pos, keyword: kw, args: [addr, mask, ctx.text], contexts: [ctx] };
      }
      case 'ibpkeycon': {
        lx.next();
        const subnet = this.address();
        const keys = this.numberRange('partition key');
        const ctx = this.parseContext();
        return { kind: 'labeling', pos, keyword: kw, args: [subnet, keys, ctx.text], contexts: [ctx] };
      }
      case 'ibendportcon': {
        lx.next();
        const dev = this.fsName('device name');
        const port = String(this.number('port'));
        const ctx = this.parseContext();
        return { kind: 'labeling', pos, keyword: kw, args: [dev, port, ctx.text], contexts: [ctx] };
      }
      case 'fscon': {
        lx.next();
        const a = String(this.number());
        const b = String(this.number());
        const c1 = this.parseContext();
        const c2 = this.parseContext();
        return { kind: 'labeling', pos, keyword: kw, args: [a, b, c1.text, c2.text], contexts: [c1, c2] };
      }
      case 'pirqcon':
      case 'pcidevicecon': {
        lx.next();
        const n = String(this.number());
        const ctx = this.parseContext();
        return { kind: 'labeling', pos, keyword: kw, args: [n, ctx.text], contexts: [ctx] };
      }
      case 'iomemcon':
      case 'ioportcon': {
        lx.next();
        const r = this.numberRange('address');
        const ctx = this.parseContext();
        return { kind: 'labeling', pos, keyword: kw, args: [r, ctx.text], contexts: [ctx] };
      }
      case 'devicetreecon': {
        lx.next();
        const path = this.pathArg();
        const ctx = this.parseContext();
        return { kind: 'labeling', pos, keyword: kw, args: [path, ctx.text], contexts: [ctx] };
      }
      case 'expandattribute': {
        lx.next();
        const set = this.nameSet('attribute');
        const v = lx.kind === T_IDENT ? lx.value.toLowerCase() : '';
        if (v !== 'true' && v !== 'false') this.fail(`expected 'true' or 'false', found ${this.describe()}`);
        lx.next();
        this.expect(T_SEMI);
        return { kind: 'kept', pos, keyword: kw, args: [setText(set), v] };
      }
      default: {
        const why = UNSUPPORTED.get(kw);
        if (why) this.fail(`unsupported statement '${kw}': ${why}`);
        if (kw === 'else') this.fail(`'else' without a preceding 'if' block`);
        return this.fail(`unknown statement '${kw}'`);
      }
    }
  }

  // ---- declarations ----------------------------------------------------------------------------

  private parseClass(pos: number): Statement {
    const lx = this.lx;
    lx.next();
    const name = this.ident('class name');
    if (lx.kind === T_LBRACE) {
      return { kind: 'class_perms', pos, name, perms: this.braceIdents('permission') };
    }
    if (this.isKeyword('inherits')) {
      lx.next();
      const inherits = this.ident('common name');
      const perms = lx.kind === T_LBRACE ? this.braceIdents('permission') : [];
      return { kind: 'class_perms', pos, name, inherits, perms };
    }
    return { kind: 'class_decl', pos, name };
  }

  private parseSid(pos: number): Statement {
    const lx = this.lx;
    lx.next();
    const name = this.ident('initial SID name');
    // `sid NAME CONTEXT`: the next token is a user name immediately followed by ':'
    if (lx.kind === T_IDENT && lx.peekChar() === 58 /* ':' */) {
      return { kind: 'sid_context', pos, name, context: this.parseContext() };
    }
    return { kind: 'sid_decl', pos, name };
  }

  private parseDefault(pos: number, kw: 'default_user' | 'default_role' | 'default_type' | 'default_range'): Statement {
    const lx = this.lx;
    lx.next();
    const classes = this.nameSet('class');
    const which = lx.kind === T_IDENT ? lx.value : '';
    let value: string;
    if (kw === 'default_range' && which === 'glblub') {
      lx.next();
      value = 'glblub';
    } else {
      if (which !== 'source' && which !== 'target') this.fail(`expected 'source' or 'target', found ${this.describe()}`);
      lx.next();
      value = which;
      if (kw === 'default_range') {
        const part = lx.kind === T_IDENT ? lx.value : '';
        if (part !== 'low' && part !== 'high' && part !== 'low-high') this.fail(`expected 'low', 'high' or 'low-high', found ${this.describe()}`);
        lx.next();
        value = `${which} ${part}`;
      }
    }
    this.expect(T_SEMI);
    return { kind: kw, pos, classes, value };
  }

  private parseDominance(pos: number): Statement {
    const lx = this.lx;
    lx.next();
    if (lx.kind === T_IDENT) return { kind: 'dominance', pos, names: [this.ident()] };
    this.expect(T_LBRACE, "'{'");
    if (this.isKeyword('role')) {
      const pairs: Array<[NameRef, NameRef]> = [];
      while (this.isKeyword('role')) this.parseRoleDom(pairs);
      this.expect(T_RBRACE);
      return { kind: 'role_dominance', pos, pairs };
    }
    const names: NameRef[] = [];
    while (lx.kind === T_IDENT) names.push(this.ident());
    if (names.length === 0) this.fail(`expected a sensitivity name, found ${this.describe()}`);
    this.expect(T_RBRACE, "'}'");
    return { kind: 'dominance', pos, names };
  }

  /** `role R;` or `role R { role S; … }` inside a role dominance block; returns R */
  private parseRoleDom(pairs: Array<[NameRef, NameRef]>): NameRef {
    const lx = this.lx;
    this.expectKeyword('role');
    const r = this.ident('role name');
    if (lx.kind === T_SEMI) {
      lx.next();
      return r;
    }
    this.expect(T_LBRACE, "';' or '{'");
    while (this.isKeyword('role')) {
      const child = this.parseRoleDom(pairs);
      pairs.push([r, child]);
    }
    this.expect(T_RBRACE);
    return r;
  }

  private parseRole(pos: number): Statement {
    const lx = this.lx;
    lx.next();
    const name = this.ident('role name');
    if (lx.kind === T_SEMI) {
      lx.next();
      return { kind: 'role', pos, name };
    }
    if (this.isKeyword('types')) {
      lx.next();
      const types = this.nameSet('type');
      this.expect(T_SEMI);
      return { kind: 'role', pos, name, types };
    }
    if (lx.kind === T_COMMA) this.fail('role attributes are not supported');
    return this.fail(`expected ';' or 'types', found ${this.describe()}`);
  }

  private parseUser(pos: number): Statement {
    const lx = this.lx;
    lx.next();
    const name = this.ident('user name');
    this.expectKeyword('roles');
    const roles = this.nameSet('role');
    if (this.isKeyword('level')) {
      lx.next();
      const level = this.parseLevel();
      this.expectKeyword('range');
      const range = this.parseRange();
      this.expect(T_SEMI);
      return { kind: 'user', pos, name, roles, level, range };
    }
    if (this.isKeyword('range')) this.fail(`expected 'level' before 'range'`);
    this.expect(T_SEMI);
    return { kind: 'user', pos, name, roles };
  }

  private parseXperm(pos: number, kw: 'allowxperm' | 'auditallowxperm' | 'dontauditxperm' | 'neverallowxperm'): Statement {
    const lx = this.lx;
    lx.next();
    const source = this.nameSet('source type');
    const target = this.nameSet('target type');
    this.expect(T_COLON);
    const classes = this.nameSet('class');
    const operation = this.ident('extended permission operation (ioctl, nlmsg)');
    const start = lx.start;
    let complement = false;
    if (lx.kind === T_TILDE) {
      complement = true;
      lx.next();
    }
    const ranges: Array<[number, number]> = [];
    const one = (): void => {
      const lo = this.number('extended permission number');
      let hi = lo;
      if (lx.kind === T_MINUS) {
        lx.next();
        hi = this.number('extended permission number');
      }
      if (lo > 0xffff || hi > 0xffff) this.fail('extended permission out of range (16 bits)');
      if (hi < lo) this.fail(`bad extended permission range ${lo}-${hi}`);
      ranges.push([lo, hi]);
    };
    if (lx.kind === T_LBRACE) {
      lx.next();
      while (lx.kind === T_NUMBER) one();
      this.expect(T_RBRACE, "a number or '}'");
    } else one();
    if (ranges.length === 0) this.fail('empty extended permission set');
    const text = this.text.slice(start, lx.start).trim().replace(/\s+/g, ' ');
    this.expect(T_SEMI);
    return { kind: 'xpermrule', pos, rule: kw, source, target, classes, operation, complement, ranges, text };
  }

  private parseIf(pos: number): Statement {
    const lx = this.lx;
    lx.next();
    const expr: CondAstToken[] = [];
    this.condExpr(0, expr);
    this.expect(T_LBRACE, "'{'");
    const whenTrue: Statement[] = [];
    this.parseStatements(whenTrue, true);
    this.expect(T_RBRACE, "'}'");
    const whenFalse: Statement[] = [];
    if (this.isKeyword('else')) {
      lx.next();
      this.expect(T_LBRACE, "'{'");
      this.parseStatements(whenFalse, true);
      this.expect(T_RBRACE, "'}'");
    }
    return { kind: 'if', pos, expr, whenTrue, whenFalse };
  }

  private parseGenfscon(pos: number): Statement {
    const lx = this.lx;
    lx.next();
    const fs = this.fsName();
    const path = this.pathArg();
    const args = [fs, path];
    if (lx.kind === T_MINUS) {
      // file type: -d -c -b -p -l -s -- (as checkpolicy: '-' identifier, or '-' '-')
      lx.next();
      if (lx.kind === T_MINUS) {
        lx.next();
        args.push('--');
      } else {
        const t = this.ident('file type letter');
        if (!/^[bcdpls]$/.test(t.name)) this.fail(`unknown file type '-${t.name}'`, t.pos);
        args.push(`-${t.name}`);
      }
    }
    const ctx = this.parseContext();
    args.push(ctx.text);
    return { kind: 'labeling', pos, keyword: 'genfscon', args, contexts: [ctx] };
  }

  // ---- small pieces ----------------------------------------------------------------------------

  private braceIdents(what: string): NameRef[] {
    const lx = this.lx;
    this.expect(T_LBRACE, "'{'");
    const out: NameRef[] = [];
    while (lx.kind === T_IDENT) out.push(this.ident());
    if (out.length === 0) this.fail(`expected ${what} name, found ${this.describe()}`);
    this.expect(T_RBRACE, `${what} name or '}'`);
    return out;
  }

  /** `alias a` or `alias { a b }` (the keyword already consumed) */
  private aliasList(): NameRef[] {
    const lx = this.lx;
    if (lx.kind === T_LBRACE) return this.braceIdents('alias');
    return [this.ident('alias name')];
  }

  private commaIdents(): NameRef[] {
    const lx = this.lx;
    const out = [this.ident()];
    while (lx.kind === T_COMMA) {
      lx.next();
      out.push(this.ident());
    }
    return out;
  }

  /** filesystem / interface / device names: identifiers or words such as `9p` */
  private fsName(what = 'filesystem name'): string {
    const lx = this.lx;
    if (lx.kind !== T_IDENT && lx.kind !== T_WORD) this.fail(`expected ${what}, found ${this.describe()}`);
    const v = lx.value;
    lx.next();
    return v;
  }

  private pathArg(): string {
    const lx = this.lx;
    if (lx.kind === T_PATH || lx.kind === T_STRING) {
      const v = lx.value;
      lx.next();
      return v;
    }
    return this.fail(`expected a path, found ${this.describe()}`);
  }

  private numberRange(what: string): string {
    const lx = this.lx;
    const lo = this.number(what);
    if (lx.kind === T_MINUS) {
      lx.next();
      const hi = this.number(what);
      if (hi < lo) this.fail(`bad ${what} range ${lo}-${hi}`);
      return `${lo}-${hi}`;
    }
    return String(lo);
  }

  /** an IPv4 or IPv6 address / mask / subnet prefix */
  private address(): string {
    const lx = this.lx;
    const at = lx.start;
    if (!lx.rescanAddress()) this.fail(`expected an IP address, found ${this.describe()}`);
    const v = lx.value;
    if (!isIpAddress(v)) this.fail(`invalid IP address '${v}'`, at);
    lx.next();
    return v;
  }

  /**
   * names: `x`, `x -y` (checkpolicy's `identifier '-' identifier`), `{ a -b { c } }`, `*`, `~x`,
   * `~{ … }`.
   */
  private nameSet(what: string): NameSet {
    const lx = this.lx;
    const pos = lx.start;
    if (lx.kind === T_IDENT) {
      const first = lx.value;
      lx.next();
      if (lx.kind === T_MINUS) {
        lx.next();
        const ex = this.ident(what);
        return { pos, names: [first], namePos: EMPTY, excluded: [ex.name], excludedPos: [ex.pos], star: false, complement: false };
      }
      return { pos, names: [first], namePos: EMPTY, excluded: EMPTY, excludedPos: EMPTY, star: false, complement: false };
    }
    if (lx.kind === T_STAR) {
      lx.next();
      return { pos, names: EMPTY, namePos: EMPTY, excluded: EMPTY, excludedPos: EMPTY, star: true, complement: false };
    }
    let complement = false;
    if (lx.kind === T_TILDE) {
      complement = true;
      lx.next();
      if (lx.kind === T_IDENT) {
        const n = this.ident(what);
        return { pos, names: [n.name], namePos: [n.pos], excluded: EMPTY, excludedPos: EMPTY, star: false, complement };
      }
    }
    if (lx.kind !== T_LBRACE) this.fail(`expected ${what} name or set, found ${this.describe()}`);
    const names: string[] = [];
    const namePos: number[] = [];
    const acc: SetAcc = { names, namePos };
    this.nestedSet(acc, what, 0);
    return { pos, names, namePos, excluded: acc.excluded ?? EMPTY, excludedPos: acc.excludedPos ?? EMPTY, star: false, complement };
  }

  private nestedSet(acc: SetAcc, what: string, depth: number): void {
    const lx = this.lx;
    if (depth > 64) this.fail('sets nested too deeply');
    this.expect(T_LBRACE);
    let n = 0;
    for (;;) {
      if (lx.kind === T_IDENT) {
        acc.names.push(lx.value);
        acc.namePos.push(lx.start);
        lx.next();
      } else if (lx.kind === T_MINUS) {
        lx.next();
        const ex = this.ident(what);
        (acc.excluded ??= []).push(ex.name);
        (acc.excludedPos ??= []).push(ex.pos);
      } else if (lx.kind === T_LBRACE) this.nestedSet(acc, what, depth + 1);
      else break;
      n++;
    }
    if (n === 0) this.fail(`expected ${what} name, found ${this.describe()}`);
    this.expect(T_RBRACE, `${what} name or '}'`);
  }

  // ---- MLS levels, ranges, contexts ------------------------------------------------------------

  private parseLevel(): LevelExpr {
    const lx = this.lx;
    const pos = lx.start;
    const sens = this.ident('sensitivity');
    const cats: CatItem[] = [];
    if (lx.kind === T_COLON) {
      lx.next();
      cats.push(this.catItem());
      while (lx.kind === T_COMMA) {
        lx.next();
        cats.push(this.catItem());
      }
    }
    return { pos, sens, cats };
  }

  /** `c3` or `c0.c1023` (one identifier token, split at the dot as checkpolicy's parse_categories) */
  private catItem(): CatItem {
    const ref = this.ident('category');
    const dot = ref.name.indexOf('.');
    if (dot < 0) return { low: ref };
    const lowName = ref.name.slice(0, dot);
    const highName = ref.name.slice(dot + 1);
    if (highName.includes('.')) this.fail(`bad category range '${ref.name}'`, ref.pos);
    return { low: { name: lowName, pos: ref.pos }, high: { name: highName, pos: ref.pos + dot + 1 } };
  }

  private parseRange(): RangeExpr {
    const lx = this.lx;
    const pos = lx.start;
    const low = this.parseLevel();
    if (lx.kind === T_MINUS) {
      lx.next();
      return { pos, low, high: this.parseLevel() };
    }
    return { pos, low };
  }

  private parseContext(): ContextExpr {
    const lx = this.lx;
    const pos = lx.start;
    const user = this.ident('user name (security context)');
    this.expect(T_COLON, "':' (security context user:role:type)");
    const role = this.ident('role name (security context)');
    this.expect(T_COLON, "':' (security context user:role:type)");
    const type = this.ident('type name (security context)');
    let text = `${user.name}:${role.name}:${type.name}`;
    if (lx.kind === T_COLON) {
      lx.next();
      const range = this.parseRange();
      text += `:${levelText(range.low)}`;
      if (range.high) text += ` - ${levelText(range.high)}`;
      return { pos, user, role, type, range, text };
    }
    return { pos, user, role, type, text };
  }

  // ---- conditional expressions -----------------------------------------------------------------

  /**
   * Precedence climbing over checkpolicy's table (policy_parse.y): OR 1 < XOR 2 < AND 3 < NOT 4
   * (prefix, right) < EQ/NEQ 5. Emits postfix into `out`.
   */
  private condExpr(minPrec: number, out: CondAstToken[], depth = 0): void {
    const lx = this.lx;
    if (depth > 200) this.fail('conditional expression nested too deeply');
    // unary / primary
    if (lx.kind === T_NOT || this.isKeyword('not')) {
      lx.next();
      this.condExpr(4, out, depth + 1);
      out.push({ op: COND_NOT });
    } else if (lx.kind === T_LPAREN) {
      lx.next();
      this.condExpr(0, out, depth + 1);
      this.expect(T_RPAREN, "')'");
    } else if (lx.kind === T_IDENT && !isCondWord(lx.value)) {
      out.push({ op: COND_BOOL, name: this.ident() });
    } else {
      this.fail(`expected a boolean, '!' or '(' in conditional expression, found ${this.describe()}`);
    }
    for (;;) {
      const op = this.condBinaryOp();
      if (op === 0) return;
      const prec = condPrec(op);
      if (prec < minPrec) return;
      lx.next();
      this.condExpr(prec + 1, out, depth + 1);
      out.push({ op });
    }
  }

  private condBinaryOp(): number {
    const lx = this.lx;
    switch (lx.kind) {
      case T_AND: return COND_AND;
      case T_OR: return COND_OR;
      case T_XOR: return COND_XOR;
      case T_EQ: return COND_EQ;
      case T_NEQ: return COND_NEQ;
      case T_IDENT:
        switch (lx.value.toLowerCase()) {
          case 'and': return COND_AND;
          case 'or': return COND_OR;
          case 'xor': return COND_XOR;
          case 'eq': return COND_EQ;
          default: return 0;
        }
      default:
        return 0;
    }
  }

  // ---- constraint expressions ------------------------------------------------------------------

  private parseConstraintExpr(): ConstraintAstNode[] {
    const out: ConstraintAstNode[] = [];
    this.cexpr(0, out, 0);
    return out;
  }

  /** `or` 1 < `and` 2 < `not` 3 (prefix); postfix into `out` */
  private cexpr(minPrec: number, out: ConstraintAstNode[], depth: number): void {
    const lx = this.lx;
    if (depth > 200) this.fail('constraint expression nested too deeply');
    const pos = lx.start;
    if (lx.kind === T_NOT || this.isWordCI('not')) {
      lx.next();
      this.cexpr(3, out, depth + 1);
      out.push({ pos, exprType: CEXPR_NOT, attr: 0, op: 0 });
    } else if (lx.kind === T_LPAREN) {
      lx.next();
      this.cexpr(0, out, depth + 1);
      this.expect(T_RPAREN, "')'");
    } else {
      out.push(this.cexprPrim());
    }
    for (;;) {
      let type = 0;
      if (lx.kind === T_AND || this.isWordCI('and')) type = CEXPR_AND;
      else if (lx.kind === T_OR || this.isWordCI('or')) type = CEXPR_OR;
      if (type === 0) return;
      const prec = type === CEXPR_OR ? 1 : 2;
      if (prec < minPrec) return;
      const opPos = lx.start;
      lx.next();
      this.cexpr(prec + 1, out, depth + 1);
      out.push({ pos: opPos, exprType: type, attr: 0, op: 0 });
    }
  }

  private isWordCI(word: string): boolean {
    return this.lx.kind === T_IDENT && this.lx.value.toLowerCase() === word;
  }

  /** `==`, `!=`, `eq`; with `mls`, also `dom`, `domby`, `incomp` */
  private cexprOp(roleMls: boolean): number {
    const lx = this.lx;
    let op = 0;
    if (lx.kind === T_EQ) op = CEXPR_EQ;
    else if (lx.kind === T_NEQ) op = CEXPR_NEQ;
    else if (lx.kind === T_IDENT) {
      const w = lx.value.toLowerCase();
      if (w === 'eq') op = CEXPR_EQ;
      else if (roleMls && w === 'dom') op = CEXPR_DOM;
      else if (roleMls && w === 'domby') op = CEXPR_DOMBY;
      else if (roleMls && w === 'incomp') op = CEXPR_INCOMP;
    }
    if (op === 0) this.fail(`expected ${roleMls ? "'==', '!=', 'dom', 'domby' or 'incomp'" : "'==' or '!='"}, found ${this.describe()}`);
    lx.next();
    return op;
  }

  private cexprPrim(): ConstraintAstNode {
    const lx = this.lx;
    const pos = lx.start;
    if (lx.kind !== T_IDENT) this.fail(`expected a constraint operand (u1 r1 t1 l1 h1 …), found ${this.describe()}`);
    const word = lx.value.toLowerCase();
    if (word === 'sameuser') {
      lx.next();
      return { pos, exprType: CEXPR_ATTR, attr: CEXPR_USER, op: CEXPR_EQ };
    }
    if (word === 'source' || word === 'target') {
      lx.next();
      const what = lx.kind === T_IDENT ? lx.value.toLowerCase() : '';
      if (what !== 'role' && what !== 'type') this.fail(`expected 'role' or 'type', found ${this.describe()}`);
      lx.next();
      const base = what === 'role' ? CEXPR_ROLE : CEXPR_TYPE;
      const names = this.nameSet(what);
      return { pos, exprType: CEXPR_NAMES, attr: word === 'target' ? base | CEXPR_TARGET : base, op: CEXPR_EQ, names };
    }
    if (word === 'role') {
      lx.next();
      return { pos, exprType: CEXPR_ATTR, attr: CEXPR_ROLE, op: this.cexprOp(true) };
    }
    const left = CONSTRAINT_OPERANDS.get(word);
    if (left === undefined) this.fail(`expected a constraint operand (u1 r1 t1 l1 h1 …), found ${this.describe()}`);
    lx.next();
    const isLevel = left >= 10;
    const isRole = left >= 4 && left <= 6;
    const op = this.cexprOp(isLevel || isRole);
    const rightWord = lx.kind === T_IDENT ? lx.value.toLowerCase() : '';
    const right = CONSTRAINT_OPERANDS.get(rightWord);
    if (isLevel) {
      let attr = 0;
      if (left === 10 && right === 11) attr = CEXPR_L1L2;
      else if (left === 10 && right === 13) attr = CEXPR_L1H2;
      else if (left === 12 && right === 11) attr = CEXPR_H1L2;
      else if (left === 12 && right === 13) attr = CEXPR_H1H2;
      else if (left === 10 && right === 12) attr = CEXPR_L1H1;
      else if (left === 11 && right === 13) attr = CEXPR_L2H2;
      else this.fail(`invalid level comparison '${word} … ${rightWord || this.describe()}' (allowed: l1/l2, l1/h2, h1/l2, h1/h2, l1/h1, l2/h2)`);
      lx.next();
      return { pos, exprType: CEXPR_ATTR, attr, op };
    }
    const base = left <= 3 ? CEXPR_USER : left <= 6 ? CEXPR_ROLE : CEXPR_TYPE;
    const index = (left - 1) % 3; // 0: x1, 1: x2, 2: x3
    if (right !== undefined) {
      // only u1 op u2, r1 op r2, t1 op t2
      if (index !== 0 || right !== left + 1) this.fail(`invalid constraint comparison '${word} … ${rightWord}'`);
      lx.next();
      return { pos, exprType: CEXPR_ATTR, attr: base, op };
    }
    if (op !== CEXPR_EQ && op !== CEXPR_NEQ) this.fail(`'${word}' can only be compared to names with '==' or '!='`, pos);
    const names = this.constraintNames(word === 'u1' || word === 'u2' || word === 'u3' ? 'user' : isRole ? 'role' : 'type');
    const attr = index === 0 ? base : index === 1 ? base | CEXPR_TARGET : base | CEXPR_XTARGET;
    return { pos, exprType: CEXPR_NAMES, attr, op, names };
  }

  /** constraint names: an identifier or `{ identifiers }` (checkpolicy's names_push) */
  private constraintNames(what: string): NameSet {
    const lx = this.lx;
    const pos = lx.start;
    if (lx.kind === T_IDENT) {
      const n = this.ident();
      return { pos, names: [n.name], namePos: EMPTY, excluded: EMPTY, excludedPos: EMPTY, star: false, complement: false };
    }
    if (lx.kind === T_LBRACE) {
      lx.next();
      const names: string[] = [];
      const namePos: number[] = [];
      while (lx.kind === T_IDENT) {
        names.push(lx.value);
        namePos.push(lx.start);
        lx.next();
      }
      if (names.length === 0) this.fail(`expected ${what} name, found ${this.describe()}`);
      this.expect(T_RBRACE, `${what} name or '}'`);
      return { pos, names, namePos, excluded: EMPTY, excludedPos: EMPTY, star: false, complement: false };
    }
    if (lx.kind === T_STAR || lx.kind === T_TILDE) this.fail(`'${lx.value}' is not allowed in constraint ${what} names`);
    return this.fail(`expected ${what} name or '{', found ${this.describe()}`);
  }

}

function isCondWord(w: string): boolean {
  const l = w.toLowerCase();
  return l === 'and' || l === 'or' || l === 'xor' || l === 'not' || l === 'eq';
}

function condPrec(op: number): number {
  switch (op) {
    case COND_OR: return 1;
    case COND_XOR: return 2;
    case COND_AND: return 3;
    default: return 5; // COND_EQ, COND_NEQ
  }
}

export function levelText(l: LevelExpr): string {
  if (l.cats.length === 0) return l.sens.name;
  return `${l.sens.name}:${l.cats.map((c) => (c.high ? `${c.low.name}.${c.high.name}` : c.low.name)).join(',')}`;
}

export function rangeText(r: RangeExpr): string {
  return r.high ? `${levelText(r.low)} - ${levelText(r.high)}` : levelText(r.low);
}

/** A name set as text, normalised: `x`, `{ a b -c }`, `*`, `~{ a }`. */
export function setText(s: NameSet): string {
  if (s.star) return '*';
  const parts = [...s.names, ...s.excluded.map((n) => `-${n}`)];
  const body = parts.length === 1 && !s.complement ? parts[0]! : `{ ${parts.join(' ')} }`;
  if (s.complement) return parts.length === 1 ? `~${parts[0]}` : `~${body}`;
  return body;
}

/** IPv4 dotted quad or IPv6 (RFC 4291 text forms, with an optional embedded IPv4 tail). */
export function isIpAddress(s: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return s.split('.').every((p) => Number(p) <= 255);
  if (!s.includes(':')) return false;
  let rest = s;
  let groupsNeeded = 8;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(tail) || !tail.split('.').every((p) => Number(p) <= 255)) return false;
    rest = s.slice(0, lastColon + 1) + '0';
    groupsNeeded = 7;
  }
  const dbl = rest.indexOf('::');
  if (dbl !== rest.lastIndexOf('::')) return false;
  const hex = /^[0-9a-fA-F]{1,4}$/;
  if (dbl >= 0) {
    const left = rest.slice(0, dbl);
    const right = rest.slice(dbl + 2);
    const l = left === '' ? [] : left.split(':');
    const r = right === '' ? [] : right.split(':');
    return [...l, ...r].every((g) => hex.test(g)) && l.length + r.length < groupsNeeded;
  }
  const groups = rest.split(':');
  return groups.length === groupsNeeded && groups.every((g) => hex.test(g));
}
