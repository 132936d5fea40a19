/**
 * `svirt compute-av` answers over the embedded policy (policies/svirt.conf): the output columns,
 * every verdict kind, every ERR code, the BOOL hint and its dependence on the current booleans, and
 * the streaming variant. (Agreement with libsepol at scale is test/conformance/.)
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEmbeddedPolicy } from '../../src/policy/load.js';
import { answerQueries, answerQueryStream, QueryAnswerer } from '../../src/security/query.js';
import { createSecurityServer } from '../../src/security/server.js';
import type { PolicyModel } from '../../src/types.js';

const GUEST = 'system_u:system_r:svirt_t:s0:c1,c2';
const IMAGE = (level: string): string => `system_u:object_r:svirt_image_t:${level}`;
const FILE_TE = 'append create getattr ioctl link lock open read rename setattr unlink write';

let model: PolicyModel;
beforeAll(() => {
  model = loadEmbeddedPolicy();
});

function one(line: string, booleans?: Record<string, boolean>): string[] {
  const server = createSecurityServer(model, booleans ? { booleans } : undefined);
  const { lines } = answerQueries(server, line);
  expect(lines).toHaveLength(1);
  return lines[0]!.split('\t');
}

describe('compute-av answers (embedded policy)', () => {
  it('allows a guest its own image and prints the whole allowed vector, sorted', () => {
    expect(one(`${GUEST} ${IMAGE('s0:c1,c2')} file write read open`)).toEqual([GUEST, IMAGE('s0:c1,c2'), 'file', 'open read write', 'allow', FILE_TE]);
  });

  it('denies another guest image by MCS (CONS), leaving only getattr', () => {
    expect(one(`${GUEST} ${IMAGE('s0:c3,c4')} file { read, open }`)).toEqual([GUEST, IMAGE('s0:c3,c4'), 'file', 'open read', 'deny:CONS', 'getattr']);
  });

  it('reports TE and CONS together when both remove requested permissions', () => {
    expect(one(`${GUEST} ${IMAGE('s0:c3,c4')} file read execute`)[4]).toBe('deny:TE,CONS');
  });

  it('prints "*" and "-" when nothing is requested', () => {
    expect(one(`${GUEST} ${IMAGE('s0')} file`)).toEqual([GUEST, IMAGE('s0'), 'file', '*', '-', FILE_TE]);
  });

  it('prints "-" for an empty allowed vector', () => {
    expect(one(`${GUEST} system_u:object_r:user_home_t:s0 file read`)).toEqual([GUEST, 'system_u:object_r:user_home_t:s0', 'file', 'read', 'deny:TE', '-']);
  });

  it('adds BOOL when a disabled boolean would grant a TE-denied permission, and not once it is on', () => {
    expect(one(`${GUEST} ${GUEST} process execmem`)[4]).toBe('deny:TE,BOOL');
    expect(one(`${GUEST} ${GUEST} process execmem`, { virt_use_execmem: true })[4]).toBe('allow');
    // the boolean grants execmem, not ptrace: no BOOL hint for ptrace
    expect(one(`${GUEST} ${GUEST} process ptrace`)[4]).toBe('deny:TE');
  });

  it('follows boolean changes made on the server between queries', () => {
    const server = createSecurityServer(model);
    const answerer = new QueryAnswerer(server);
    const q = `${GUEST} ${GUEST} process execstack`;
    expect(answerer.answer(q)?.split('\t')[4]).toBe('deny:TE,BOOL');
    server.setBoolean('virt_use_execmem', true);
    expect(answerer.answer(q)?.split('\t')[4]).toBe('allow');
    server.setBoolean('virt_use_execmem', false);
    expect(answerer.answer(q)?.split('\t')[4]).toBe('deny:TE,BOOL');
  });

  it('reports RBAC when only the role allow rule is missing', () => {
    // unconfined_t may transition to itself (TE) and is process_uncond_exempt (constraints pass);
    // unconfined_r -> system_r has a role allow rule, unconfined_r -> object_r has none
    const from = 'unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023';
    expect(one(`${from} unconfined_u:system_r:unconfined_t:s0 process transition`)[4]).toBe('allow');
    expect(one(`${from} unconfined_u:object_r:unconfined_t:s0 process transition`)[4]).toBe('deny:RBAC');
    // libvirtd starting a guest in another role fails the role constraint first: CONS, not RBAC
    expect(one(`system_u:system_r:virtd_t:s0-s0:c0.c1023 system_u:object_r:svirt_t:s0:c1,c2 process transition`)[4]).toBe('deny:CONS');
  });

  it('answers each bad line with its ERR code and keeps going', () => {
    const text = [
      `${GUEST}`,
      `nosuch_u:system_r:svirt_t:s0 ${IMAGE('s0')} file read`,
      `${GUEST} ${IMAGE('s0:c5.c5')} file read`,
      `${GUEST} ${IMAGE('s0')} nosuchclass read`,
      `${GUEST} ${IMAGE('s0')} file transition`,
      `${GUEST} ${IMAGE('s0')} file { read`,
      `# a comment`,
      ``,
      `${GUEST} ${IMAGE('s0')} file read`,
    ].join('\n');
    const { lines, counts } = answerQueries(createSecurityServer(model), text);
    expect(lines.map((l) => l.split('\t')[4])).toEqual(['ERR:MALFORMED', 'ERR:BADSCON', 'ERR:BADTCON', 'ERR:BADCLASS', 'ERR:BADPERM', 'ERR:MALFORMED', 'allow']);
    for (const l of lines.slice(0, 6)) expect(l.split('\t').slice(3)).toEqual(['-', l.split('\t')[4], '-']);
    expect(lines[0]).toBe(`${GUEST}\t-\t-\t-\tERR:MALFORMED\t-`);
    expect(counts).toMatchObject({ queries: 7, allow: 1, deny: 0, none: 0, errors: 6 });
    expect(counts.byError).toEqual({ MALFORMED: 2, BADSCON: 1, BADTCON: 1, BADCLASS: 1, BADPERM: 1 });
  });

  it('checks the source before the target, the target before the class, the class before perms', () => {
    const v = (l: string): string => answerQueries(createSecurityServer(model), l).lines[0]!.split('\t')[4]!;
    expect(v(`bad ${'bad'} nosuch nosuch`)).toBe('ERR:BADSCON');
    expect(v(`${GUEST} bad nosuch nosuch`)).toBe('ERR:BADTCON');
    expect(v(`${GUEST} ${GUEST} nosuch nosuch`)).toBe('ERR:BADCLASS');
  });

  it('echoes the input contexts verbatim (aliases and odd spellings are not canonicalised)', () => {
    const s = 'system_u:system_r:svirt_t:s0:c2,c1';
    const t = 'system_u:object_r:netif_t:s0-s0';
    expect(one(`${s} ${t} file read`).slice(0, 2)).toEqual([s, t]);
    expect(one(`${s} system_u:object_r:lo_netif_t:s0 file read`)[1]).toBe('system_u:object_r:lo_netif_t:s0');
  });

  it('property: the stream variant yields exactly answerQueries’ lines, however the text is chunked', async () => {
    const text = [
      `${GUEST} ${IMAGE('s0:c1,c2')} file read`,
      `${GUEST} ${IMAGE('s0:c3')} dir search`,
      `# c`,
      `${GUEST} ${GUEST} process execmem`,
      `${GUEST} ${IMAGE('s0')} blk_file`,
      `oops`,
    ].join('\n');
    const expected = answerQueries(createSecurityServer(model), text).lines;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 6 }), fc.boolean(), async (cuts, asBytes) => {
        const points = [0, ...[...new Set(cuts)].sort((a, b) => a - b), text.length];
        const chunks = points.slice(1).map((p, i) => text.slice(points[i], p));
        const input = asBytes ? chunks.map((c) => new TextEncoder().encode(c)) : chunks;
        const got: string[] = [];
        for await (const line of answerQueryStream(createSecurityServer(model), input)) got.push(line);
        expect(got).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });
});
