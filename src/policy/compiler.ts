/**
 * PolicyAst → PolicyModel, in the passes checkpolicy's two-pass parse implies:
 *  1. declare every symbol and give it its value (compile/declare.ts);
 *  2. relations between declarations: class permissions, dominance, levels, attributes, aliases,
 *     bounds, permissive, policy capabilities, defaults — then typeAttrMap / attrTypes;
 *  3. roles' types and dominance, users (ranges, default levels);
 *  4. rules in statement order: avtab, conditionals, xperms, role allow, constraints, initial SID
 *     contexts, and the decision-neutral statements into `model.other` (compile/rules.ts).
 * Statement order does not matter for name resolution (checkpolicy requires declarations to come
 * in its section order; this compiler accepts any order and produces the same values).
 *
 * Every problem is recorded in Diagnostics with its source location; the caller throws them all
 * together (PolicySyntaxError) — a policy with errors never yields a model.
 */
import type { PolicyAst, Statement } from './ast.js';
import { SourceText } from './lexer.js';
import type { HandleUnknown, PolicyModel } from './model.js';
import { parsePolicy } from './parser.js';
import { Diagnostics } from './compile/diagnostics.js';
import { compileConstraint } from './compile/constraints.js';
import { declareRelations, declareRolesAndUsers, declareSymbols, finalizeTypes } from './compile/declare.js';
import { RuleCompiler } from './compile/rules.js';
import { checkSections } from './compile/sections.js';
import { CompileState } from './compile/state.js';

export interface CompileOptions {
  /** overrides the `# handle_unknown X` header comment; default `deny` (checkpolicy's default) */
  readonly handleUnknown?: HandleUnknown;
}

export function compilePolicy(ast: PolicyAst, source: SourceText, diags: Diagnostics, options: CompileOptions = {}): PolicyModel {
  const stmts = ast.statements;
  const model: PolicyModel = {
    // MLS is enabled exactly when the policy declares sensitivities (checkpolicy -M also requires it)
    mls: stmts.some((s) => s.kind === 'sensitivity'),
    handleUnknown: options.handleUnknown ?? ast.handleUnknownComment ?? 'deny',
    policyCaps: [],
    commons: [],
    classes: [],
    roles: [],
    types: [],
    users: [],
    bools: [],
    sensitivities: [],
    categories: [],
    typeAttrMap: [],
    attrTypes: [],
    avtab: [],
    conds: [],
    xperms: [],
    roleAllows: [],
    initialSids: [],
    other: [],
  };
  const st = new CompileState(model, diags, source);
  declareSymbols(st, stmts);
  declareRelations(st, stmts);
  finalizeTypes(st);
  declareRolesAndUsers(st, stmts);
  const rules = new RuleCompiler(st);
  for (const s of stmts) compileStatement(st, rules, s);
  rules.finish();
  return model;
}

function compileStatement(st: CompileState, rules: RuleCompiler, s: Statement): void {
  switch (s.kind) {
    case 'constrain':
    case 'mlsconstrain':
    case 'validatetrans':
    case 'mlsvalidatetrans':
      compileConstraint(st, s);
      break;
    default:
      rules.statement(s);
  }
}

/**
 * Parse and compile a policy text. Throws PolicySyntaxError carrying every diagnostic
 * (`file:line:col: error: …`), or SvirtError E_POLICY_UNSUPPORTED for a policy this engine cannot
 * represent (more than 1024 categories).
 */
export function compilePolicyText(text: string, file = '<policy>', options: CompileOptions = {}): PolicyModel {
  const source = new SourceText(text, file);
  const diags = new Diagnostics(source);
  const ast = parsePolicy(text, diags);
  checkSections(ast, diags, text.length);
  const model = compilePolicy(ast, source, diags, options);
  diags.throwIfAny();
  return model;
}
