import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svirt } from '../support/cli.js';
import { HOST_TEST_POLICY } from '../host/fixtures-policy.js';

let dir: string;
let common: string[];
const IMG = '/var/lib/libvirt/images';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'svirt-host-cli-'));
  writeFileSync(join(dir, 'policy.conf'), HOST_TEST_POLICY);
  common = ['--state', join(dir, 'host.db'), '--policy', join(dir, 'policy.conf')];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('svirt host: a guest life through the CLI', () => {
  it('define, start, ps/ls, attack denied (exit 1) with its audit record, stop', async () => {
    expect(await svirt('host', 'define', '--name', 'vm1', '--disk', `${IMG}/vm1.qcow2`, ...common)).toEqual({ code: 0, out: "Domain 'vm1' defined\n", err: '' });
    expect((await svirt('host', 'define', '--name', 'vm2', '--disk', `${IMG}/vm2.qcow2`, ...common)).code).toBe(0);

    const start = await svirt('host', 'start', 'vm1', ...common);
    expect(start.code).toBe(0);
    expect(start.out).toMatch(
      /^Domain 'vm1' started\nProcess: pid 1000 virtqemud \(system_u:system_r:virtd_t:s0-s0:c0\.c1023\) setexeccon \+ exec \/usr\/libexec\/qemu-kvm -> system_u:system_r:svirt_t:s0:c\d+,c\d+\nChecks allowed: process \{ setexec \}, file \{ execute \}, file \{ read open \}, process \{ transition \}, file \{ entrypoint \}, file \{ read execute \}\nSecurity model: selinux\nSecurity label: system_u:system_r:svirt_t:s0:c\d+,c\d+ \(enforcing\)\nSecurity model: dac\nSecurity label: \+107:\+107\n$/,
    );
    const label1 = /Security label: (\S+)/.exec(start.out)![1]!;
    expect((await svirt('host', 'start', 'vm2', ...common)).code).toBe(0);

    const ps = await svirt('host', 'ps', ...common);
    expect(ps.out.split('\n')[0]).toBe('LABEL                               PID TTY          TIME CMD');
    expect(ps.out).toContain(label1);

    const ls = await svirt('host', 'ls', `${IMG}/vm1.qcow2`, ...common);
    expect(ls.out).toBe(`${label1.replace('system_r:svirt_t', 'object_r:svirt_image_t')} ${IMG}/vm1.qcow2\n`);

    const attack = await svirt('host', 'attack', 'vm1', `${IMG}/vm2.qcow2`, ...common);
    expect(attack.code).toBe(1);
    expect(attack.out).toMatch(/^qemu-kvm\[\d+\] \(system_u:system_r:svirt_t:s0:c\d+,c\d+\) read \/var\/lib\/libvirt\/images\/vm2\.qcow2: Permission denied\n/);
    const record = attack.out.split('\n')[1]!;
    expect(record).toMatch(
      /^type=AVC msg=audit\(\d+\.\d{3}:1\): avc: {2}denied {2}\{ read \} for {2}pid=\d+ comm="qemu-kvm" path="\/var\/lib\/libvirt\/images\/vm2\.qcow2" dev="dm-0" ino=\d+ scontext=system_u:system_r:svirt_t:s0:c\d+,c\d+ tcontext=system_u:object_r:svirt_image_t:s0:c\d+,c\d+ tclass=file permissive=0$/,
    );
    // the record persists in the state file
    expect((await svirt('host', 'audit', ...common)).out).toBe(`${record}\n`);
    // own image: allowed, exit 0
    expect((await svirt('host', 'attack', 'vm1', `${IMG}/vm1.qcow2`, '--perm', 'write', ...common)).code).toBe(0);

    expect(await svirt('host', 'stop', 'vm1', ...common)).toEqual({ code: 0, out: "Domain 'vm1' shut off\n", err: '' });
    expect((await svirt('host', 'ls', `${IMG}/vm1.qcow2`, ...common)).out).toBe(`system_u:object_r:virt_image_t:s0 ${IMG}/vm1.qcow2\n`);
    expect((await svirt('host', 'destroy', 'vm2', ...common)).out).toBe("Domain 'vm2' destroyed\n");
  });

  it('bad usage and input exit 2 with a clear message and leave the state as it was', async () => {
    expect((await svirt('host', 'define', '--name', 'vm1', '--disk', `${IMG}/vm1.qcow2`, ...common)).code).toBe(0);
    expect(await svirt('host', 'start', 'ghost', ...common)).toMatchObject({ code: 2, err: 'svirt: guest "ghost" is not defined\n' });
    expect((await svirt('host', 'start', 'vm1', ...common)).code).toBe(0);
    const before = (await svirt('host', 'ps', '--json', ...common)).out;
    expect(await svirt('host', 'start', 'vm1', ...common)).toMatchObject({ code: 2, err: 'svirt: guest "vm1" is already running\n' });
    expect((await svirt('host', 'ps', '--json', ...common)).out).toBe(before);
    const bad = await svirt('host', 'chcon', 'system_u:object_r:no_such_t:s0', '/etc/shadow', ...common);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^svirt: chcon: .*no_such_t/);
    expect((await svirt('host', 'attack', 'vm1', '/nope', ...common)).code).toBe(2);
    expect((await svirt('host', 'attack', 'vm1', '/etc/shadow', '--perm', 'fly', ...common)).code).toBe(2);
  });

  it('a state file that is not ours is refused with exit 2 and left untouched', async () => {
    const foreign = join(dir, 'foreign.db');
    writeFileSync(foreign, 'this is not a database, just text that happens to be long enough........');
    const before = readFileSync(foreign);
    const r = await svirt('host', 'ps', '--state', foreign, '--policy', join(dir, 'policy.conf'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^svirt: /);
    expect(readFileSync(foreign)).toEqual(before);
  });

  it('chcon: allowed for the admin (exit 0), a denied relabel exits 1 with the record', async () => {
    await svirt('host', 'define', '--name', 'vm1', '--disk', `${IMG}/vm1.qcow2`, ...common);
    expect(await svirt('host', 'chcon', 'system_u:object_r:svirt_image_t:s0:c5,c6', `${IMG}/vm1.qcow2`, ...common)).toEqual({ code: 0, out: '', err: '' });
    expect((await svirt('host', 'ls', `${IMG}/vm1.qcow2`, ...common)).out).toBe(`system_u:object_r:svirt_image_t:s0:c5,c6 ${IMG}/vm1.qcow2\n`);
    const denied = await svirt('host', 'chcon', 'system_u:object_r:svirt_image_t:s0-s0:c5', `${IMG}/vm1.qcow2`, ...common);
    expect(denied.code).toBe(1);
    expect(denied.err).toMatch(/^chcon: failed to change context of '\/var\/lib\/libvirt\/images\/vm1\.qcow2' to 'system_u:object_r:svirt_image_t:s0-s0:c5': Permission denied\ntype=AVC msg=audit\(\d+\.\d{3}:1\): avc: {2}denied {2}\{ relabelto \}/);
  });
});

const ALIASES = [`${IMG}/./shared.img`, `/${IMG}/shared.img`, `${IMG}/../images/shared.img`, `${IMG}/shared.img/`];

describe('svirt host: one file is one file', () => {
  it.each(ALIASES)('a second guest on %s cannot start on a running guest image (exit 2, holder named)', async (alias) => {
    expect((await svirt('host', 'define', '--name', 'vm1', '--disk', `${IMG}/shared.img`, ...common)).code).toBe(0);
    expect((await svirt('host', 'define', '--name', 'vm2', '--disk', alias, ...common)).code).toBe(0);
    const start1 = await svirt('host', 'start', 'vm1', ...common);
    expect(start1.code).toBe(0);
    const image = (await svirt('host', 'ls', `${IMG}/shared.img`, ...common)).out;
    const r = await svirt('host', 'start', 'vm2', ...common);
    expect(r).toEqual({
      code: 2,
      out: '',
      err: `svirt: cannot start guest "vm2": disk 1 "${IMG}/shared.img" (writable) is in use by running guest "vm1" as disk 1 "${IMG}/shared.img" (writable)\n`,
    });
    // vm1 keeps its image: same label, and vm2 has no process
    expect((await svirt('host', 'ls', alias, ...common)).out).toBe(image.replace(`${IMG}/shared.img`, alias));
    expect((await svirt('host', 'ps', ...common)).out).not.toContain('vm2');
  });

  it('domain XML spellings are one file too, and relative disk paths are refused', async () => {
    writeFileSync(join(dir, 'vm2.xml'), `<domain type='kvm'><name>vm2</name><devices><disk type='file'><source file='//var/lib/libvirt/images/./shared.img'/></disk></devices></domain>`);
    expect((await svirt('host', 'define', '--name', 'vm1', '--disk', `${IMG}/shared.img`, ...common)).code).toBe(0);
    expect((await svirt('host', 'define', join(dir, 'vm2.xml'), ...common)).code).toBe(0);
    expect((await svirt('host', 'start', 'vm2', ...common)).code).toBe(0);
    const r = await svirt('host', 'start', 'vm1', ...common);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^svirt: cannot start guest "vm1": .* is in use by running guest "vm2" as .*\n$/);
    const rel = await svirt('host', 'define', '--name', 'vm3', '--disk', 'images/vm3.img', ...common);
    expect(rel).toEqual({ code: 2, out: '', err: 'svirt: disk 1 of guest "vm3": source path "images/vm3.img": must be an absolute path (relative paths are refused, as libvirt refuses them)\n' });
    expect((await svirt('host', 'ls', 'var/lib', ...common)).code).toBe(2);
  });
});

describe('svirt host: how labels are born', () => {
  it('a refused exec fails the start: AVC record on stderr, exit 1, the pair released', async () => {
    writeFileSync(join(dir, 'policy.conf'), HOST_TEST_POLICY.replace('allow virtd_t svirt_t:process transition;\n', ''));
    expect((await svirt('host', 'define', '--name', 'vm1', '--disk', `${IMG}/vm1.qcow2`, ...common)).code).toBe(0);
    const start = await svirt('host', 'start', 'vm1', ...common);
    expect(start.code).toBe(1);
    expect(start.out).toBe('');
    const lines = start.err.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^type=AVC msg=audit\(\d+\.\d{3}:1\): avc:  denied  \{ transition \} for  pid=1000 comm="virtqemud" path="\/usr\/libexec\/qemu-kvm" dev="dm-0" ino=\d+ scontext=system_u:system_r:virtd_t:s0-s0:c0\.c1023 tcontext=system_u:system_r:svirt_t:s0:c\d+,c\d+ tclass=process permissive=0$/);
    expect(lines[1]).toMatch(/^error: Failed to start domain 'vm1': cannot execute \/usr\/libexec\/qemu-kvm as system_u:system_r:svirt_t:s0:c\d+,c\d+: Permission denied \(process \{ transition \}/);
    expect((await svirt('host', 'ls', `${IMG}/vm1.qcow2`, ...common)).out).toBe(`system_u:object_r:virt_image_t:s0 ${IMG}/vm1.qcow2\n`);
    expect((await svirt('host', 'ps', ...common)).out).not.toContain('qemu-kvm');
    expect((await svirt('host', 'audit', ...common)).out).toBe(`${lines[0]}\n`);
  });

  it('--contexts DIR: base labels from virtual_domain_context, bad file_contexts line exit 2', async () => {
    const ctx = join(dir, 'contexts');
    mkdirSync(join(ctx, 'files'), { recursive: true });
    // the QEMU binary must be labelled qemu_exec_t for the guest's exec to be allowed
    writeFileSync(join(ctx, 'files', 'file_contexts'), '/var/lib/libvirt/images(/.*)?\tsystem_u:object_r:virt_image_t:s0\n/usr/libexec/qemu.*\t--\tsystem_u:object_r:qemu_exec_t:s0\n');
    writeFileSync(join(ctx, 'virtual_domain_context'), 'system_u:system_r:svirt_t:s0\n');
    writeFileSync(join(ctx, 'virtual_image_context'), 'system_u:object_r:svirt_image_t:s0\nsystem_u:object_r:virt_content_t:s0\n');
    const args = [...common, '--contexts', ctx];
    expect((await svirt('host', 'define', '--name', 'vm1', '--disk', `${IMG}/vm1.qcow2`, ...args)).code).toBe(0);
    expect((await svirt('host', 'start', 'vm1', ...args)).code).toBe(0);
    // a base label from the file that the policy lacks is refused at start, with the file's text
    writeFileSync(join(ctx, 'virtual_domain_context'), 'system_u:system_r:svirt_tcg_t:s0\n');
    expect((await svirt('host', 'define', '--name', 'vm2', '--disk', `${IMG}/vm2.qcow2`, ...args)).code).toBe(0);
    const refused = await svirt('host', 'start', 'vm2', ...args);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/svirt_tcg_t/);
    writeFileSync(join(ctx, 'files', 'file_contexts'), '/a\tsystem_u:object_r:no_such_t:s0\n');
    const bad = await svirt('host', 'ps', ...args);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/file_contexts:1:22: error: invalid context "system_u:object_r:no_such_t:s0"/);
    expect(bad.err.trimEnd().split('\n')).toHaveLength(1);
  });
});

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** `svirt ARGS` in a child process, as uid/gid 65534 when we are root (root ignores file modes) */
function svirtAsOther(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const asRoot = process.getuid?.() === 0;
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: tmpdir() },
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('svirt host: state file permissions', () => {
  it('a new state file is 0600; a read-only state file can be listed (ps, ls, audit) and is not written', async () => {
    const state = join(dir, 'ro', 'host.db');
    const args = ['--state', state, '--policy', join(dir, 'policy.conf')];
    expect((await svirt('host', 'define', '--name', 'vm1', '--disk', `${IMG}/vm1.qcow2`, ...args)).code).toBe(0);
    expect(statSync(state).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(state)).mode & 0o777).toBe(0o700);
    expect((await svirt('host', 'start', 'vm1', ...args)).code).toBe(0);
    expect((await svirt('host', 'attack', 'vm1', '/etc/shadow', ...args)).code).toBe(1);
    const expected = {
      ps: (await svirt('host', 'ps', ...args)).out,
      ls: (await svirt('host', 'ls', IMG, ...args)).out,
      audit: (await svirt('host', 'audit', ...args)).out,
    };
    expect(expected.audit).toMatch(/^type=AVC .*shadow/);
    // read-only for everyone: file 0444, directory 0555 (no journal side file can be created)
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'policy.conf'), 0o644);
    chmodSync(state, 0o444);
    for (const side of ['-wal', '-shm']) if (existsSync(state + side)) chmodSync(state + side, 0o444);
    chmodSync(dirname(state), 0o555);
    try {
      const before = readFileSync(state);
      for (const [cmd, extra] of [['ps', []], ['ls', [IMG]], ['audit', []]] as const) {
        const r = await svirtAsOther(['host', cmd, ...extra, ...args]);
        expect({ cmd, code: r.code, err: r.err }).toEqual({ cmd, code: 0, err: '' });
        expect(r.out).toBe(expected[cmd]);
      }
      // a command that changes the host fails cleanly on the read-only file (exit 2, one line)
      const stop = await svirtAsOther(['host', 'stop', 'vm1', ...args]);
      expect(stop.code).toBe(2);
      expect(stop.err).toMatch(/^svirt: [^\n]*\n$/);
      expect(readFileSync(state)).toEqual(before);
    } finally {
      chmodSync(dirname(state), 0o700);
    }
  }, 60_000);

  it('listing a missing state file shows an empty host and creates nothing', async () => {
    const state = join(dir, 'none', 'host.db');
    const r = await svirt('host', 'ps', '--state', state, '--policy', join(dir, 'policy.conf'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('virtqemud');
    expect(existsSync(dirname(state))).toBe(false);
  });
});
