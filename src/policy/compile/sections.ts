/**
 * The section structure checkpolicy's grammar imposes on a base policy.conf
 * (S checkpolicy/policy_parse.y `base_policy`):
 *
 *   classes initial_sids access_vectors opt_default_rules opt_mls te_rbac users opt_constraints
 *   initial_sid_contexts opt_fs_contexts opt_fs_uses opt_genfs_contexts net_contexts
 *   opt_dev_contexts opt_ibpkey_contexts opt_ibendport_contexts
 *
 * with `access_vectors: opt_common_perms av_perms`, `mls: sensitivities dominance opt_categories
 * levels mlspolicy`, `net_contexts: opt_port_contexts opt_netif_contexts opt_node_contexts`, and
 * every non-optional list holding at least one item. So a policy that stops early (for example a
 * file cut before its constraints, which then has no initial SID contexts either) is not a policy:
 * loading it would enforce less than was written. checkpolicy refuses such a file with a syntax
 * error; this check names the missing section, at the end of the input, and every statement that
 * is out of section order. (opt_fs_contexts, `fscon`, is in checkpolicy 3.4's grammar and was
 * dropped later; it is accepted in its 3.4 place.)
 */
import type { PolicyAst, Statement } from '../ast.js';
import type { Diagnostics } from './diagnostics.js';

interface Section {
  /** what the section holds, for messages */
  readonly name: string;
  /** the statement that starts it, for "missing" messages */
  readonly example: string;
  readonly required: boolean;
}

/** In grammar order; the index is the section's rank. */
const SECTIONS: readonly Section[] = [
  { name: 'class declarations', example: "'class NAME'", required: true },
  { name: 'initial SID declarations', example: "'sid NAME'", required: true },
  { name: 'common permission sets', example: "'common NAME { … }'", required: false },
  { name: 'class permissions', example: "'class NAME { … }'", required: true },
  { name: 'default_* rules', example: "'default_user …'", required: false },
  { name: 'sensitivities', example: "'sensitivity NAME;'", required: false },
  { name: 'dominance', example: "'dominance { … }'", required: false },
  { name: 'categories', example: "'category NAME;'", required: false },
  { name: 'levels', example: "'level SENS:CATS;'", required: false },
  { name: 'MLS constraints', example: "'mlsconstrain …' or 'mlsvalidatetrans …'", required: false },
  { name: 'type enforcement and role statements', example: "'type NAME;'", required: true },
  { name: 'users', example: "'user NAME roles …;'", required: true },
  { name: 'constraints', example: "'constrain …'", required: false },
  { name: 'initial SID contexts', example: "'sid NAME CONTEXT'", required: true },
  { name: 'fscon statements', example: "'fscon …'", required: false },
  { name: 'fs_use statements', example: "'fs_use_xattr …'", required: false },
  { name: 'genfscon statements', example: "'genfscon …'", required: false },
  { name: 'portcon statements', example: "'portcon …'", required: false },
  { name: 'netifcon statements', example: "'netifcon …'", required: false },
  { name: 'nodecon statements', example: "'nodecon …'", required: false },
  { name: 'device contexts', example: "'pirqcon …'", required: false },
  { name: 'ibpkeycon statements', example: "'ibpkeycon …'", required: false },
  { name: 'ibendportcon statements', example: "'ibendportcon …'", required: false },
];

const S_SENS = 5;
const S_DOMINANCE = 6;
const S_LEVELS = 8;
const S_MLSPOLICY = 9;
const S_TE_RBAC = 10;

const LABELING_SECTION: Readonly<Record<string, number>> = {
  fscon: 14,
  fs_use_xattr: 15,
  fs_use_task: 15,
  fs_use_trans: 15,
  genfscon: 16,
  portcon: 17,
  netifcon: 18,
  nodecon: 19,
  pirqcon: 20,
  iomemcon: 20,
  ioportcon: 20,
  pcidevicecon: 20,
  devicetreecon: 20,
  ibpkeycon: 21,
  ibendportcon: 22,
};

function sectionOf(s: Statement): number {
  switch (s.kind) {
    case 'class_decl':
      return 0;
    case 'sid_decl':
      return 1;
    case 'common':
      return 2;
    case 'class_perms':
      return 3;
    case 'default_user':
    case 'default_role':
    case 'default_type':
    case 'default_range':
      return 4;
    case 'sensitivity':
      return S_SENS;
    case 'dominance':
      return S_DOMINANCE;
    case 'category':
      return 7;
    case 'level':
      return S_LEVELS;
    case 'mlsconstrain':
    case 'mlsvalidatetrans':
      return S_MLSPOLICY;
    case 'user':
      return 11;
    case 'constrain':
    case 'validatetrans':
      return 12;
    case 'sid_context':
      return 13;
    case 'labeling':
      return LABELING_SECTION[s.keyword] ?? S_TE_RBAC;
    default:
      return S_TE_RBAC;
  }
}

function keywordOf(s: Statement): string {
  switch (s.kind) {
    case 'class_decl':
    case 'class_perms':
      return 'class';
    case 'sid_decl':
    case 'sid_context':
      return 'sid';
    case 'avrule':
    case 'xpermrule':
    case 'typerule':
      return s.rule;
    case 'role_dominance':
      return 'dominance';
    case 'labeling':
    case 'kept':
      return s.keyword;
    default:
      return s.kind;
  }
}

/**
 * Report statements out of section order and required sections that are absent. `endPos` is the
 * offset of the end of the input (where a missing section is reported).
 */
export function checkSections(ast: PolicyAst, diags: Diagnostics, endPos: number): void {
  const stmts = ast.statements;
  const seen = new Array<number>(SECTIONS.length).fill(0);
  let rank = 0;
  let rankStart = -1;
  for (const s of stmts) {
    const sec = sectionOf(s);
    seen[sec]!++;
    if (sec < rank) {
      const after = SECTIONS[rank]!.name;
      const line = rankStart >= 0 ? ` (from line ${diags.source.loc(rankStart).line})` : '';
      diags.error(s.pos, `'${keywordOf(s)}' statement out of order: ${SECTIONS[sec]!.name} must come before the ${after}${line}, as in checkpolicy's grammar`);
      continue;
    }
    if (sec === S_DOMINANCE && seen[sec]! > 1) diags.error(s.pos, "a second 'dominance' statement: the MLS section has exactly one");
    if (sec > rank) {
      rank = sec;
      rankStart = s.pos;
    }
  }
  // an empty statement `;` is a TE/RBAC declaration of its own (S policy_parse.y te_rbac_decl)
  if ((ast.emptyStatements ?? 0) > 0) seen[S_TE_RBAC]!++;

  const missing: string[] = [];
  const mls = seen.slice(S_SENS, S_MLSPOLICY + 1).some((n) => n > 0);
  SECTIONS.forEach((sec, i) => {
    const needed = sec.required || (mls && (i === S_SENS || i === S_DOMINANCE || i === S_LEVELS || i === S_MLSPOLICY));
    if (needed && seen[i] === 0) missing.push(`${sec.name} (${sec.example})`);
  });
  if (missing.length === 0) return;
  const what = stmts.length === 0 ? 'no policy statements (an empty or comment-only file is not a policy)' : 'the policy is incomplete (cut short?)';
  diags.error(endPos, `${what}: missing ${missing.join(', ')}`);
}
