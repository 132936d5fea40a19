/**
 * A SMACK rule set: one access mask per (subject, object) pair; the last rule written for a pair wins
 * (smackfs `load2` semantics). Rules load from text, one `subject object access` per line (the format
 * of `/etc/smack/accesses` and smackfs `load2`), `#` comments and blank lines ignored.
 */
import { smackError } from '../errors.js';
import { MAY_ALL, formatSmackAccess, parseSmackAccess, smackAccess, type SmackDecision } from './access.js';
import { smackLabelProblem } from './label.js';

export interface SmackRule {
  readonly subject: string;
  readonly object: string;
  readonly access: number;
}

export class SmackRuleSet {
  private readonly rules = new Map<string, Map<string, number>>();

  /** Set the access for a pair (replacing any earlier rule); labels are validated. */
  set(subject: string, object: string, access: number): void {
    for (const [role, label] of [
      ['subject', subject],
      ['object', object],
    ] as const) {
      const problem = smackLabelProblem(label);
      if (problem !== undefined) throw smackError(`invalid SMACK ${role} label "${label}" at offset ${problem.offset}: ${problem.reason}`);
    }
    if ((access & ~MAY_ALL) !== 0) throw smackError(`access mask 0x${access.toString(16)} has bits outside rwxatlb`);
    let row = this.rules.get(subject);
    if (row === undefined) this.rules.set(subject, (row = new Map()));
    row.set(object, access);
  }

  /** smackfs `change-rule`: add the `add` bits and remove the `remove` bits of an existing or new rule. */
  change(subject: string, object: string, add: number, remove: number): void {
    const current = this.get(subject, object) ?? 0;
    this.set(subject, object, (current | add) & ~remove);
  }

  /** Remove every rule whose subject is `subject` (smackfs `revoke-subject` sets them to no access). */
  revokeSubject(subject: string): void {
    const row = this.rules.get(subject);
    if (row !== undefined) for (const object of row.keys()) row.set(object, 0);
  }

  get(subject: string, object: string): number | undefined {
    return this.rules.get(subject)?.get(object);
  }

  check(subject: string, object: string, request: number): SmackDecision {
    return smackAccess(subject, object, request, (s, o) => this.get(s, o));
  }

  *[Symbol.iterator](): IterableIterator<SmackRule> {
    for (const [subject, row] of this.rules) for (const [object, access] of row) yield { subject, object, access };
  }

  get size(): number {
    let n = 0;
    for (const row of this.rules.values()) n += row.size;
    return n;
  }

  /** `subject object access` lines, as smackfs `load2` reads back. */
  toText(): string {
    return [...this].map((r) => `${r.subject} ${r.object} ${formatSmackAccess(r.access)}\n`).join('');
  }
}

/**
 * Parse rules text into `into` (or a new set). Errors name `file:line:col`.
 * A line must hold exactly three whitespace-separated fields; a rule naming the same label twice is
 * refused (it would be pointless: a label always has full access to itself).
 */
export function parseSmackRules(text: string, file = 'accesses', into = new SmackRuleSet()): SmackRuleSet {
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    const at = (col: number, msg: string): never => {
      throw smackError(`${file}:${n + 1}:${col}: error: ${msg}`);
    };
    const stripped = line.replace(/#.*$/, '');
    if (stripped.trim() === '') continue;
    const fields: Array<{ text: string; col: number }> = [];
    const re = /\S+/g;
    for (let m = re.exec(stripped); m !== null; m = re.exec(stripped)) fields.push({ text: m[0], col: m.index + 1 });
    if (fields.length !== 3) {
      at(fields[Math.min(fields.length, 3)]?.col ?? stripped.length + 1, `expected "subject object access", found ${fields.length} field(s)`);
    }
    const [subject, object, access] = fields as [typeof fields[0], typeof fields[0], typeof fields[0]];
    for (const f of [subject, object]) {
      const problem = smackLabelProblem(f.text);
      if (problem !== undefined) at(f.col + problem.offset, `invalid label "${f.text}": ${problem.reason}`);
    }
    if (subject.text === object.text) at(object.col, `rule names the same label "${subject.text}" on both sides`);
    let mask = 0;
    try {
      mask = parseSmackAccess(access.text);
    } catch (err) {
      at(access.col, err instanceof Error ? err.message : String(err));
    }
    into.set(subject.text, object.text, mask);
  }
  return into;
}
