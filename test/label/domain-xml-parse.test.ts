/**
 * The libvirt domain XML subset: names, uuid, seclabels, disks with sources, readonly/shareable,
 * per-source seclabels and backing chains; malformed XML and bad attributes are E_LABEL errors
 * with file:line:col.
 */
import { describe, expect, it } from 'vitest';
import { domainXmlToInput, parseDomainXml } from '../../src/label/domain-xml.js';

const FULL = `<domain type='qemu'>
  <name>web01</name>
  <uuid>C7A5FDBD-EDAF-9455-926A-D65C16DB1809</uuid>
  <memory unit='KiB'>1048576</memory>
  <seclabel type='dynamic' model='selinux' relabel='yes'>
    <baselabel>system_u:system_r:svirt_tcg_t:s0</baselabel>
    <imagelabel>ignored-output-only</imagelabel>
  </seclabel>
  <seclabel type='static' model='dac' relabel='yes'>
    <label>+107:+107</label>
  </seclabel>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/web01.qcow2'>
        <seclabel model='dac' relabel='no'/>
      </source>
      <backingStore type='file'>
        <format type='qcow2'/>
        <source file='/var/lib/libvirt/images/mid.qcow2'/>
        <backingStore type='block'>
          <format type='raw'/>
          <source dev='/dev/vg0/base'>
            <seclabel model='selinux'><label>system_u:object_r:virt_content_t:s0</label></seclabel>
          </source>
          <backingStore/>
        </backingStore>
      </backingStore>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='block' device='disk'>
      <source dev='/dev/sdc'/>
      <target dev='vdb'/>
      <shareable/>
    </disk>
    <disk type='file' device='cdrom'>
      <source file='/var/lib/libvirt/boot/a&amp;b.iso'/>
      <target dev='sda'/>
      <readonly/>
    </disk>
    <interface type='network'><source network='default'/></interface>
  </devices>
</domain>`;

describe('domain XML', () => {
  it('reads the subset and normalises it', () => {
    const def = parseDomainXml(FULL, 'web01.xml');
    expect(def.name).toBe('web01');
    expect(def.uuid).toBe('c7a5fdbd-edaf-9455-926a-d65c16db1809');
    expect(def.virtType).toBe('qemu');
    expect(def.seclabels).toEqual([
      { model: 'selinux', type: 'dynamic', relabel: true, baseLabel: 'system_u:system_r:svirt_tcg_t:s0' },
      { model: 'dac', type: 'static', relabel: true, label: '+107:+107' },
    ]);
    expect(def.disks).toEqual([
      {
        source: '/var/lib/libvirt/images/web01.qcow2',
        type: 'file',
        target: 'vda',
        readonly: false,
        shareable: false,
        seclabels: [{ model: 'dac', relabel: false }],
        backingChain: [
          { source: '/var/lib/libvirt/images/mid.qcow2', type: 'file', seclabels: [] },
          { source: '/dev/vg0/base', type: 'block', seclabels: [{ model: 'selinux', relabel: true, label: 'system_u:object_r:virt_content_t:s0' }] },
        ],
      },
      { source: '/dev/sdc', type: 'block', target: 'vdb', readonly: false, shareable: true, seclabels: [], backingChain: [] },
      { source: '/var/lib/libvirt/boot/a&b.iso', type: 'file', target: 'sda', readonly: true, shareable: false, seclabels: [], backingChain: [] },
    ]);
  });

  it('defaults: no type → default, model-less seclabels belong to the primary, no uuid → none given', () => {
    const input = domainXmlToInput(`<domain><name>a</name><seclabel/><devices><disk><source file='/x'><seclabel relabel='no'/></source></disk></devices></domain>`);
    expect(input.uuid).toBeUndefined();
    const def = parseDomainXml(`<domain><name>a</name><seclabel/><devices><disk><source file='/x'><seclabel relabel='no'/></source></disk></devices></domain>`, 'a.xml', 'smack');
    expect(def.seclabels).toEqual([{ model: 'smack', type: 'default', relabel: true }]);
    expect(def.disks[0]!.seclabels).toEqual([{ model: 'smack', relabel: false }]);
    expect(def.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('reports malformed XML and bad values with file:line:col', () => {
    expect(() => parseDomainXml('<domain><name>a</name>\n<devices>\n</domain>', 'bad.xml')).toThrow(/^bad\.xml:\d+:\d+: error: malformed XML/);
    expect(() => parseDomainXml(`<domain>\n  <name>a</name>\n  <seclabel type='dynamic' relabel='maybe'/>\n</domain>`, 'r.xml')).toThrow(
      "r.xml:3:3: error: <seclabel> #1: invalid relabel=\"maybe\" (expected 'yes' or 'no')",
    );
    expect(() => parseDomainXml(`<domain>\n<name>a</name>\n<devices>\n  <disk type='network'><source protocol='nbd'/></disk>\n</devices></domain>`, 'n.xml')).toThrow(
      /^n\.xml:4:3: error: <disk> #1: disk type "network" is not supported/,
    );
    expect(() => parseDomainXml(`<domain><name>a</name><devices><disk type='file'><source dev='/dev/sda'/></disk></devices></domain>`, 'f.xml')).toThrow(
      /<source> needs a file attribute/,
    );
    expect(() => parseDomainXml(`<domain type='xen'><name>a</name></domain>`, 'x.xml')).toThrow(/only kvm and qemu/);
    expect(() => parseDomainXml(`<domain><uuid>x</uuid></domain>`, 'u.xml')).toThrow(/has no <name>/);
    expect(() => parseDomainXml(`<guest/>`, 'g.xml')).toThrow(/root element must be a single <domain>/);
    expect(() => parseDomainXml(`<domain><name>a</name><name>b</name></domain>`, 'd.xml')).toThrow(/<name> appears more than once/);
    expect(() => parseDomainXml(`<domain><name>a</name><seclabel type='dynamic' relabel='no'/></domain>`)).toThrow(/dynamic label type must use resource relabeling/);
  });

  it('does not expand external entities', () => {
    const xml = `<!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/passwd">]><domain><name>&x;</name></domain>`;
    let name: string | undefined;
    try {
      name = parseDomainXml(xml).name;
    } catch {
      name = undefined;
    }
    expect(name ?? '').not.toMatch(/root:/);
  });
});
