/**
 * The labels the manager starts from come from the policy's files, not from built-in tables:
 * restore falls back to file_contexts (selabel_lookup; `<<none>>` or no match leaves the label),
 * base labels come from virtual_domain_context / virtual_image_context as libvirt reads them, and
 * `virsh dumpxml` output of a running guest is defined as libvirt's inactive parse does it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { fileContextsFromText } from '../../src/labeling/load.js';
import { LabelManager, UNLABELED_FILE } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import * as relabel from '../../src/label/relabel.js';
import { restoreFileLabel } from '../../src/label/relabel.js';
import { SELINUX_DEFAULTS } from '../../src/label/selinux.js';
import { createMemoryStore } from '../../src/label/store.js';
import { embeddedContextsDir, loadVirtualContexts, parseVirtualContexts } from '../../src/label/virt-contexts.js';
import { loadEmbeddedPolicy } from '../../src/policy/load.js';

const policy = loadEmbeddedPolicy();
const FC = [
  '/srv/vm(/.*)?\tsystem_u:object_r:virt_image_t:s0',
  '/srv/vm/scratch(/.*)?\t<<none>>',
  '/srv/vm/odd\tsystem_u:object_r:virt_content_t:s0:c1',
].join('\n');

function manager(fc = FC): LabelManager {
  return new LabelManager({ store: createMemoryStore(), policy, drivers: ['selinux'], rng: seededRng(3), fileContexts: fileContextsFromText({ fileContexts: `${fc}\n` }) });
}

describe('restore falls back to the policy file_contexts', () => {
  it('the built-in table is gone', () => {
    expect('BUILTIN_FILE_CONTEXTS' in relabel).toBe(false);
    expect('defaultFileLabel' in relabel).toBe(false);
    // the old table gave every /dev/sd* fixed_disk_device_t and every other path default_t
    const m = new LabelManager({ store: createMemoryStore(), policy, drivers: ['selinux'] });
    expect(m.defaultLabel('/dev/sdb', 'selinux')).toBeUndefined();
    expect(m.defaultLabel('/opt/x.img', 'selinux')).toBeUndefined();
    // the embedded policy's own file_contexts by default
    expect(m.defaultLabel('/var/lib/libvirt/images/a.img', 'selinux')).toBe('system_u:object_r:virt_image_t:s0');
  });

  it('defaults: an entry gives its context, <<none>> and no match give none; unlabelled files are the file initial SID', () => {
    const m = manager();
    expect(m.defaultLabel('/srv/vm/a.img', 'selinux')).toBe('system_u:object_r:virt_image_t:s0');
    expect(m.defaultLabel('/srv/vm/scratch/b.img', 'selinux')).toBeUndefined();
    expect(m.defaultLabel('/elsewhere/c.img', 'selinux')).toBeUndefined();
    // a file nobody labelled: its default, else the policy's `sid file` context
    expect(m.fileLabel('/srv/vm/a.img')).toBe('system_u:object_r:virt_image_t:s0');
    expect(m.fileLabel('/srv/vm/scratch/b.img')).toBe(UNLABELED_FILE);
  });

  it('a file with nothing remembered gets its file_contexts entry back; one with <<none>> keeps its label', () => {
    const m = manager();
    const running = 'system_u:object_r:svirt_image_t:s0:c1,c2';
    for (const [path, after] of [
      ['/srv/vm/a.img', 'system_u:object_r:virt_image_t:s0'],
      ['/srv/vm/scratch/b.img', running],
      ['/elsewhere/c.img', running],
    ] as const) {
      m.store.setFileLabel(path, 'selinux', running);
      restoreFileLabel(m.store, { get: (p) => m.fileLabel(p), set: (p, model, l) => m.store.setFileLabel(p, model, l) }, { path, model: 'selinux', label: running, role: 'image', remembered: true }, (p) =>
        m.defaultLabel(p, 'selinux'),
      );
      expect(m.fileLabel(path), path).toBe(after);
    }
  });

  it('through stop: a remembered original wins; a default invalid in the policy is refused, not used', () => {
    const m = manager();
    m.define({ name: 'g', disks: [{ source: '/srv/vm/a.img' }] });
    m.start('g');
    m.stop('g');
    expect(m.fileLabel('/srv/vm/a.img')).toBe('system_u:object_r:virt_image_t:s0');
    // an entry the loaded policy rejects (category beyond... a level above the user's is fine; an
    // unknown type is not) fails closed at use
    const bad = manager('/srv/bad(/.*)?\tsystem_u:object_r:no_such_t:s0');
    expect(() => bad.defaultLabel('/srv/bad/x', 'selinux')).toThrow(SvirtError);
    expect(bad.fileLabel('/srv/bad/x')).toBe(UNLABELED_FILE);
  });
});

describe('base labels from virtual_domain_context / virtual_image_context', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svirt-vctx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('first line the domain label, second the TCG label; image then content', () => {
    expect(parseVirtualContexts('system_u:system_r:svirt_t:s0\nsystem_u:system_r:svirt_tcg_t:s0\nignored\n', 'a:object_r:img_t:s0\na:object_r:content_t:s0\n')).toEqual({
      domainContext: 'system_u:system_r:svirt_t:s0',
      altDomainContext: 'system_u:system_r:svirt_tcg_t:s0',
      fileContext: 'a:object_r:img_t:s0',
      contentContext: 'a:object_r:content_t:s0',
    });
    // one line (with or without its newline): no TCG label, no content label
    expect(parseVirtualContexts('system_u:system_r:svirt_t:s0\n', 'a:object_r:img_t:s0')).toEqual({ domainContext: 'system_u:system_r:svirt_t:s0', fileContext: 'a:object_r:img_t:s0' });
    // absent files: nothing, the driver keeps its defaults
    expect(parseVirtualContexts(undefined, undefined)).toEqual({});
    expect(() => parseVirtualContexts('\nx', undefined)).toThrow(/virtual_domain_context:1:1: error: empty domain context/);
  });

  it('the shipped files of the embedded policy equal the driver defaults; an absent directory gives none', () => {
    expect(loadVirtualContexts(embeddedContextsDir())).toEqual({
      domainContext: SELINUX_DEFAULTS.domainContext,
      fileContext: SELINUX_DEFAULTS.fileContext,
      contentContext: SELINUX_DEFAULTS.contentContext,
    });
    expect(loadVirtualContexts(join(dir, 'missing'))).toEqual({});
  });

  it('the TCG line is used for qemu guests, the first line for kvm guests; over-long files are refused', () => {
    writeFileSync(join(dir, 'virtual_domain_context'), 'system_u:system_r:svirt_t:s0\nsystem_u:system_r:svirt_tcg_t:s0\n');
    const m = new LabelManager({ store: createMemoryStore(), drivers: ['selinux'], rng: seededRng(5), selinux: loadVirtualContexts(dir) });
    m.define({ name: 'k', virtType: 'kvm' });
    m.define({ name: 't', virtType: 'qemu' });
    expect(m.start('k').live[0]!.label).toMatch(/^system_u:system_r:svirt_t:s0:c\d+,c\d+$/);
    expect(m.start('t').live[0]!.label).toMatch(/^system_u:system_r:svirt_tcg_t:s0:c\d+,c\d+$/);
    writeFileSync(join(dir, 'virtual_domain_context'), `${'x'.repeat(1025)}\n`);
    expect(() => loadVirtualContexts(dir)).toThrow(expect.objectContaining({ code: 'E_LIMIT' }));
  });
});

/** A running guest's XML exactly as `virsh dumpxml` prints it (libvirt 9, Debian). */
const DUMPXML = `<domain type='kvm' id='3'>
  <name>web1</name>
  <uuid>6c1a8a5e-2f0b-4c1e-9a57-3d2f1e0b7c11</uuid>
  <memory unit='KiB'>1048576</memory>
  <currentMemory unit='KiB'>1048576</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <resource>
    <partition>/machine</partition>
  </resource>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <boot dev='hd'/>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/web1.qcow2' index='1'/>
      <backingStore/>
      <target dev='vda' bus='virtio'/>
      <alias name='virtio-disk0'/>
      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
    </disk>
  </devices>
  <seclabel type='dynamic' model='selinux' relabel='yes'>
    <label>system_u:system_r:svirt_t:s0:c392,c662</label>
    <imagelabel>system_u:object_r:svirt_image_t:s0:c392,c662</imagelabel>
    <baselabel>system_u:system_r:svirt_t:s0</baselabel>
  </seclabel>
  <seclabel type='dynamic' model='dac' relabel='yes'>
    <label>+107:+107</label>
    <imagelabel>+107:+107</imagelabel>
  </seclabel>
</domain>
`;

describe('virsh dumpxml of a running guest', () => {
  it('is defined as libvirt defines it: live <label>/<imagelabel> ignored, <baselabel> kept; a start draws a fresh pair', () => {
    const m = new LabelManager({ store: createMemoryStore(), policy, rng: seededRng(9) });
    const rec = m.define(DUMPXML, 'web1.xml');
    const sel = rec.def.seclabels.find((s) => s.model === 'selinux')!;
    expect(sel).toMatchObject({ type: 'dynamic', relabel: true, baseLabel: 'system_u:system_r:svirt_t:s0' });
    expect(sel.label).toBeUndefined();
    expect(rec.def.seclabels.find((s) => s.model === 'dac')).toMatchObject({ type: 'dynamic', relabel: true });
    expect(rec.def.seclabels.find((s) => s.model === 'dac')!.label).toBeUndefined();
    const live = m.start('web1').live;
    const label = live.find((l) => l.model === 'selinux')!.label!;
    expect(label).toMatch(/^system_u:system_r:svirt_t:s0:c\d+,c\d+$/);
    expect(label).not.toBe('system_u:system_r:svirt_t:s0:c392,c662');
    expect(m.store.listMcs().map((r) => r.level)).toEqual([label.slice(label.indexOf(':s0') + 1)]);
  });

  it('a static label keeps its <label>; a static without one is still refused', () => {
    const m = new LabelManager({ store: createMemoryStore(), policy, rng: seededRng(9) });
    const stat = DUMPXML.replace("type='dynamic' model='selinux' relabel='yes'", "type='static' model='selinux' relabel='yes'").replace('    <baselabel>system_u:system_r:svirt_t:s0</baselabel>\n', '');
    expect(m.define(stat, 'web1.xml').def.seclabels.find((s) => s.model === 'selinux')!.label).toBe('system_u:system_r:svirt_t:s0:c392,c662');
    const noLabel = stat.replace('    <label>system_u:system_r:svirt_t:s0:c392,c662</label>\n', '');
    expect(() => m.define(noLabel, 'web1.xml')).toThrow(/security label is missing/);
  });
});
