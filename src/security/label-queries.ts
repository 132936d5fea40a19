/**
 * The `--batch` line protocol of `svirt compute-create|compute-member|compute-relabel` and
 * `svirt validatetrans`; the conformance harness prints the same format, so the two compare line
 * by line.
 *
 * Input, one query a line, fields separated by blanks (space, tab, CR, VT, FF); `#` starts a
 * comment; blank lines give no output:
 *   compute-*:      SCONTEXT TCONTEXT TCLASS [NAME]      (NAME: compute-create only)
 *   validatetrans:  OLDCONTEXT NEWCONTEXT TASKCONTEXT TCLASS
 *
 * Output, one tab-separated line per query: the input fields as given, then the result:
 *   compute-*:      the new context | ERR:MALFORMED|BADSCON|BADTCON|BADCLASS|INVALID
 *   validatetrans:  allow | deny | ERR:MALFORMED|BADOLDCON|BADNEWCON|BADTASKCON|BADCLASS
 * Errors are checked in the order listed. INVALID: the computed context is not valid in the policy
 * (refused when enforcing, K compute_sid_handle_invalid_context), or none could be formed.
 */
import { SvirtError } from '../errors.js';
import type { NewLabelKind } from './compute-sid.js';
import type { WasmSecurityServer } from './server.js';

const BLANKS = /[ \t\r\v\f]+/;

/** The fields of one line, or undefined for a blank / comment-only line. */
export function splitQueryLine(raw: string): string[] | undefined {
  const hash = raw.indexOf('#');
  const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
  if (body.length === 0) return undefined;
  return body.split(BLANKS);
}

/** The labeling calls the protocol needs (the Wasm security server provides them). */
export type LabelServer = Pick<WasmSecurityServer, 'contextToSid' | 'classValue' | 'computeNewLabel' | 'validateTransition'>;

export type NewLabelResult = string;

/** One answer field for a compute-* query. */
export function answerNewLabelFields(server: LabelServer, kind: NewLabelKind, fields: readonly string[], flavour?: 'kernel' | 'libsepol'): NewLabelResult {
  const maxFields = kind === 'create' ? 4 : 3;
  if (fields.length < 3 || fields.length > maxFields) return 'ERR:MALFORMED';
  const ssid = sidOrUndefined(server, fields[0]!);
  if (ssid === undefined) return 'ERR:BADSCON';
  const tsid = sidOrUndefined(server, fields[1]!);
  if (tsid === undefined) return 'ERR:BADTCON';
  const tclass = classOrUndefined(server, fields[2]!);
  if (tclass === undefined) return 'ERR:BADCLASS';
  const answer = server.computeNewLabel(kind, ssid, tsid, tclass, fields[3], flavour);
  return answer.status === 'ok' && answer.context !== undefined ? answer.context : 'ERR:INVALID';
}

/** One answer field for a validatetrans query. */
export function answerValidateTransFields(server: LabelServer, fields: readonly string[]): string {
  if (fields.length !== 4) return 'ERR:MALFORMED';
  const oldsid = sidOrUndefined(server, fields[0]!);
  if (oldsid === undefined) return 'ERR:BADOLDCON';
  const newsid = sidOrUndefined(server, fields[1]!);
  if (newsid === undefined) return 'ERR:BADNEWCON';
  const tasksid = sidOrUndefined(server, fields[2]!);
  if (tasksid === undefined) return 'ERR:BADTASKCON';
  const tclass = classOrUndefined(server, fields[3]!);
  if (tclass === undefined) return 'ERR:BADCLASS';
  return server.validateTransition(oldsid, newsid, tasksid, tclass) ? 'allow' : 'deny';
}

/**
 * Answer every line of `text`: one output line per query line. `flavour: 'libsepol'` drops the
 * kernel's socket case (src/security/compute-sid.ts), for comparison with libsepol only.
 */
export function answerLabelBatch(server: LabelServer, kind: NewLabelKind | 'validatetrans', text: string, flavour?: 'kernel' | 'libsepol'): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const fields = splitQueryLine(raw);
    if (!fields) continue;
    const result = kind === 'validatetrans' ? answerValidateTransFields(server, fields) : answerNewLabelFields(server, kind, fields, flavour);
    out.push([...fields, result].join('\t'));
  }
  return out;
}

/** A query's context: its SID, or undefined when it does not parse or is invalid (SvirtError). */
function sidOrUndefined(server: LabelServer, text: string): number | undefined {
  try {
    return server.contextToSid(text);
  } catch (e) {
    if (e instanceof SvirtError) return undefined;
    throw e;
  }
}

function classOrUndefined(server: LabelServer, name: string): number | undefined {
  try {
    return server.classValue(name);
  } catch (e) {
    if (e instanceof SvirtError) return undefined;
    throw e;
  }
}
