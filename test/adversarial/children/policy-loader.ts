/**
 * Child process for fuzz-policy.test.ts: loads each policy the parent sends over IPC (text or
 * binary, base64) and answers with the outcome, so the parent can bound each case in time and
 * kill this process on a hang. Message in: { id, kind: 'text' | 'binary', data }. Out:
 * { id, outcome: 'ok' | 'ok-refused' | 'crash', detail }.
 */
import { SvirtError } from '../../../src/errors.js';
import { readBinaryPolicy } from '../../../src/policy/binary.js';
import { parsePolicyText } from '../../../src/policy/load.js';

interface Case {
  id: number;
  kind: 'text' | 'binary';
  data: string;
}

process.on('message', (msg: Case) => {
  const bytes = Buffer.from(msg.data, 'base64');
  let outcome: 'ok' | 'ok-refused' | 'crash' = 'ok';
  let detail = '';
  try {
    if (msg.kind === 'text') parsePolicyText(bytes.toString('utf8'), 'fuzz.conf');
    else readBinaryPolicy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), 'fuzz.33');
  } catch (err) {
    outcome = err instanceof SvirtError && (err.code as string).length > 0 ? 'ok-refused' : 'crash';
    detail = err instanceof Error ? `${err.name}: ${err.message.slice(0, 200)}` : String(err);
  }
  process.send?.({ id: msg.id, outcome, detail });
});
process.send?.('ready');
