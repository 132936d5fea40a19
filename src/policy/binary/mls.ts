/**
 * MLS levels and ranges on disk, and their validity rules.
 *
 * - Level: `{sens u32}` + category ebitmap (S policydb.c:mls_read_level).
 * - Range: `[count = 1|2]`, low sens, [high sens], low cats, [high cats]; count 1 means high = low
 *   (S policydb.c:mls_read_range_helper). Present in every context, user and range_trans record for
 *   v>=19 whether or not MLS is enabled; non-MLS policies write sens 0 and empty bitmaps.
 * - Validity (K ss/mls.c:mls_level_isvalid / mls_range_isvalid): sens in 1..nsens, the categories a
 *   subset of those allowed at that sensitivity, and high dominates low.
 *
 * Categories are read straight into the 1024-bit CategorySet (bit i = category value i + 1); a bit at
 * or above 1024 is rejected by the ebitmap reader, and larger policies never get this far.
 */
import { levelDom } from '../../context/mls.js';
import { MAX_CATEGORIES, formatCategories } from '../../context/categories.js';
import type { MlsLevel, MlsRange, SensitivityDef, CategoryDef } from '../model.js';
import type { Cursor } from './cursor.js';
import { readCategoryBits } from './ebitmap.js';

export function readLevel(c: Cursor, what: string): MlsLevel {
  const sens = c.u32();
  const cats = readCategoryBits(c, MAX_CATEGORIES, `${what} categories`);
  return { sens, cats };
}

export function readRange(c: Cursor, what: string): MlsRange {
  const at = c.pos;
  const items = c.u32();
  if (items !== 1 && items !== 2) c.fail(`${what}: range has ${items} level(s), expected 1 or 2`, at);
  const lowSens = c.u32();
  const highSens = items === 2 ? c.u32() : lowSens;
  const lowCats = readCategoryBits(c, MAX_CATEGORIES, `${what} low categories`);
  const highCats = items === 2 ? readCategoryBits(c, MAX_CATEGORIES, `${what} high categories`) : lowCats.clone();
  return { low: { sens: lowSens, cats: lowCats }, high: { sens: highSens, cats: highCats } };
}

/** Why a level is invalid under the declared sensitivities, or undefined when valid. */
export function levelProblem(level: MlsLevel, sens: readonly SensitivityDef[], ncats: number): string | undefined {
  if (level.sens < 1 || level.sens > sens.length) return `sensitivity ${level.sens} out of range 1..${sens.length}`;
  const top = level.cats.highest();
  if (top >= ncats) return `category value ${top + 1} out of range 1..${ncats}`;
  const def = sens[level.sens - 1]!;
  if (!def.allowedCats.contains(level.cats)) return `categories not allowed at sensitivity ${def.name}`;
  return undefined;
}

/**
 * Only the values of a level: sensitivity 1..nsens, categories below ncats. This is all libsepol
 * checks of a user's range and default level (S policydb_validate.c validate_user_datum →
 * validate_mls_level); the kernel checks nothing there (K ss/policydb.c user_read).
 */
export function levelValueProblem(level: MlsLevel, nsens: number, ncats: number): string | undefined {
  if (level.sens < 1 || level.sens > nsens) return `sensitivity ${level.sens} out of range 1..${nsens}`;
  const top = level.cats.highest();
  if (top >= ncats) return `category value ${top + 1} out of range 1..${ncats}`;
  return undefined;
}

export function rangeProblem(range: MlsRange, sens: readonly SensitivityDef[], ncats: number): string | undefined {
  const low = levelProblem(range.low, sens, ncats);
  if (low) return `low level: ${low}`;
  const high = levelProblem(range.high, sens, ncats);
  if (high) return `high level: ${high}`;
  if (!levelDom(range.high, range.low)) return 'high level does not dominate low level';
  return undefined;
}

/** Canonical level text (S mls.c:mls_sid_to_context): `s0:c0.c3,c5`. */
export function formatLevelText(level: MlsLevel, sens: readonly SensitivityDef[], cats: readonly CategoryDef[]): string {
  const s = sens[level.sens - 1]?.name ?? `s?${level.sens}`;
  const text = formatCategories(level.cats, (i) => cats[i]?.name ?? `c?${i}`);
  return text ? `${s}:${text}` : s;
}

/** Canonical range text: low, then `-high` only when high differs from low. */
export function formatRangeText(range: MlsRange, sens: readonly SensitivityDef[], cats: readonly CategoryDef[]): string {
  const low = formatLevelText(range.low, sens, cats);
  if (range.low.sens === range.high.sens && range.low.cats.equals(range.high.cats)) return low;
  return `${low}-${formatLevelText(range.high, sens, cats)}`;
}
