/**
 * Symbol tables and the model under construction, shared by the compiler passes. Lookups report an
 * undeclared identifier at its use site and return undefined; callers then drop the statement
 * (never guessing), so a policy with errors is never returned.
 */
import type { NameRef } from '../ast.js';
import type { SourceText } from '../lexer.js';
import type {
  BoolDef,
  CategoryDef,
  ClassDef,
  CommonDef,
  InitialSid,
  PolicyModel,
  RoleDef,
  SensitivityDef,
  TypeDef,
  UserDef,
} from '../model.js';
import type { Diagnostics } from './diagnostics.js';

export interface ClassInfo {
  readonly def: ClassDef;
  /** permission name → bit (common permissions first) */
  readonly permBits: Map<string, number>;
  /** whether `class X { … }` / `class X inherits …` has been seen */
  permsDefined: boolean;
}

export interface CommonInfo {
  readonly def: CommonDef;
  readonly permBits: Map<string, number>;
}

export interface SensInfo {
  readonly name: string;
  readonly pos: number;
  readonly aliases: string[];
  /** set once `dominance` is processed */
  def?: SensitivityDef;
}

export class CompileState {
  readonly classes = new Map<string, ClassInfo>();
  readonly commons = new Map<string, CommonInfo>();
  /** types, attributes and their aliases */
  readonly types = new Map<string, TypeDef>();
  readonly roles = new Map<string, RoleDef>();
  readonly users = new Map<string, UserDef>();
  readonly bools = new Map<string, BoolDef>();
  /** sensitivities and their aliases, in declaration order */
  readonly sens = new Map<string, SensInfo>();
  readonly sensOrder: SensInfo[] = [];
  /** categories and their aliases */
  readonly cats = new Map<string, CategoryDef>();
  readonly sids = new Map<string, InitialSid>();
  /** attribute value → member primary type values (insertion order, deduplicated at finalize) */
  readonly members = new Map<number, Set<number>>();
  /** attributes marked `expandattribute … true` */
  readonly expandedAttrs = new Set<number>();
  /** every primary (non-attribute) type value, ascending; valid after finalizeTypes */
  primaryTypes: number[] = [];

  constructor(
    readonly model: PolicyModel,
    readonly diags: Diagnostics,
    readonly source: SourceText,
  ) {}

  error(pos: number, message: string): void {
    this.diags.error(pos, message);
  }

  loc(pos: number): { file: string; line: number; column: number } {
    return this.source.loc(pos);
  }

  type(ref: NameRef): TypeDef | undefined {
    const t = this.types.get(ref.name);
    if (!t) this.error(ref.pos, `unknown type or attribute '${ref.name}'`);
    return t;
  }

  primaryType(ref: NameRef, what = 'type'): TypeDef | undefined {
    const t = this.type(ref);
    if (t && t.attribute) {
      this.error(ref.pos, `'${ref.name}' is an attribute, not a ${what}`);
      return undefined;
    }
    return t;
  }

  attribute(ref: NameRef): TypeDef | undefined {
    const t = this.types.get(ref.name);
    if (!t) {
      this.error(ref.pos, `unknown attribute '${ref.name}'`);
      return undefined;
    }
    if (!t.attribute) {
      this.error(ref.pos, `'${ref.name}' is a type, not an attribute`);
      return undefined;
    }
    return t;
  }

  cls(ref: NameRef): ClassInfo | undefined {
    const c = this.classes.get(ref.name);
    if (!c) this.error(ref.pos, `unknown class '${ref.name}'`);
    return c;
  }

  role(ref: NameRef): RoleDef | undefined {
    const r = this.roles.get(ref.name);
    if (!r) this.error(ref.pos, `unknown role '${ref.name}'`);
    return r;
  }

  user(ref: NameRef): UserDef | undefined {
    const u = this.users.get(ref.name);
    if (!u) this.error(ref.pos, `unknown user '${ref.name}'`);
    return u;
  }

  bool(ref: NameRef): BoolDef | undefined {
    const b = this.bools.get(ref.name);
    if (!b) this.error(ref.pos, `unknown boolean '${ref.name}'`);
    return b;
  }

  sensitivity(ref: NameRef): SensitivityDef | undefined {
    const s = this.sens.get(ref.name);
    if (!s) {
      this.error(ref.pos, `unknown sensitivity '${ref.name}'`);
      return undefined;
    }
    if (!s.def) this.error(ref.pos, `sensitivity '${ref.name}' is not listed in 'dominance'`);
    return s.def;
  }

  category(ref: NameRef): CategoryDef | undefined {
    const c = this.cats.get(ref.name);
    if (!c) this.error(ref.pos, `unknown category '${ref.name}'`);
    return c;
  }
}

/** Sorted ascending, duplicates removed (in place on a copy). */
export function sortedUnique(values: Iterable<number>): number[] {
  const out = Array.from(values).sort((a, b) => a - b);
  let w = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[w - 1]) out[w++] = out[i]!;
  out.length = w;
  return out;
}
