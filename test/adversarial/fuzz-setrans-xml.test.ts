/**
 * Fuzzed setrans.conf (mutated policies/setrans.conf → loads or a typed E_SETRANS error carrying
 * file:line:col) and fuzzed domain XML (mutated libvirt XML → defines, or a typed error with its
 * location or naming the guest); never a crash. Seeded; includes are stubbed (no file system).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuestError, SvirtError } from '../../src/errors.js';
import { parseSetrans } from '../../src/context/setrans.js';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { createMemoryStore } from '../../src/label/store.js';
import { loadEmbeddedPolicy } from '../../src/policy/load.js';
import { ROOT } from './cli-run.js';
import { mutatedText } from './mutate.js';
import { classifyThrown, isOneLine, record } from './tally.js';

const SETRANS = readFileSync(join(ROOT, 'policies', 'setrans.conf'), 'utf8');
const SETRANS_SNIPPETS = ['=', '!', '>', '~', 'Domain=', 'Include=x.conf', 'Base=', 'ModifierGroup=', 'Whitespace=', 'Join=', 'Prefix=', 'Suffix=', 'Default=', 's0:c1023', 'c1024', 's0-s0:c0.c1023', '\0', '#', ',', '.', '\n'];

describe('fuzzed setrans.conf', () => {
  it('loads or E_SETRANS with file:line:col (seeded)', () => {
    fc.assert(
      fc.property(mutatedText(SETRANS, SETRANS_SNIPPETS), (text) => {
        try {
          const table = parseSetrans(text, 'fuzz.conf', { readFile: () => 's0=Included\n', listDir: () => [] });
          table.toHuman('s0-s0:c0.c1023');
          record('fuzz-setrans', 'ok', 'loaded');
        } catch (err) {
          record('fuzz-setrans', classifyThrown(err), String(err).slice(0, 120));
          expect(err, String(err)).toBeInstanceOf(SvirtError);
          expect((err as SvirtError).code).toBe('E_SETRANS');
          expect((err as Error).message).toMatch(/^fuzz\.conf:\d+:\d+: /);
          expect(isOneLine((err as Error).message, 1200), (err as Error).message).toBe(true);
        }
      }),
      { seed: 0x15e7, numRuns: 400 },
    );
  });
});

const XML = `<domain type='kvm'>
  <name>fuzz01</name>
  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
  <seclabel type='dynamic' model='selinux' relabel='yes'/>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/fuzz01.qcow2'/>
      <backingStore type='file'><format type='qcow2'/><source file='/var/lib/libvirt/images/base.qcow2'/></backingStore>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <source file='/var/lib/libvirt/images/install.iso'/>
      <readonly/>
    </disk>
    <disk type='block' device='disk'>
      <source dev='/dev/vg0/shared'/>
      <shareable/>
    </disk>
  </devices>
</domain>
`;
const XML_SNIPPETS = ['<', '>', '/>', '</disk>', '<disk>', "'", '"', '&amp;', '&lt;', '&#0;', '&#x110000;', '<!DOCTYPE d [<!ENTITY a "aaaa">]>', '&a;', '<![CDATA[', ']]>', '<seclabel type="static" model="selinux"><label>x</label></seclabel>', "type='none'", "model='dac'", '/../', '//', '\0', 'relabel="no"'];

describe('fuzzed domain XML', () => {
  it('defines or a typed error with its location (seeded)', () => {
    const manager = new LabelManager({ store: createMemoryStore(), policy: loadEmbeddedPolicy(), rng: seededRng(0x15) });
    fc.assert(
      fc.property(mutatedText(XML, XML_SNIPPETS), (xml) => {
        try {
          manager.define(xml, 'fuzz.xml');
          record('fuzz-domain-xml', 'ok', 'defined');
        } catch (err) {
          record('fuzz-domain-xml', classifyThrown(err), String(err).slice(0, 120));
          expect(err, String(err)).toBeInstanceOf(SvirtError);
          const message = (err as Error).message;
          expect(isOneLine(message, 1200), message).toBe(true);
          // a location: file:line:col of the XML, or the guest the definition is about
          if (!(err instanceof GuestError)) expect(message).toMatch(/fuzz\.xml:\d+:\d+|invalid context|security driver/);
        }
      }),
      { seed: 0x15d0, numRuns: 400 },
    );
  });
});
