/**
 * A domain with many disks: define, start, stop and list are linear in the number of disks,
 * asserted by counting (no timing): every HostStore call and every record it returns is one unit
 * of work; doubling the disks may at most (about) double the work. The XML is built at three sizes.
 */
import { describe, expect, it } from 'vitest';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { createMemoryStore, type HostStore } from '../../src/label/store.js';
import { record } from './tally.js';

function domainXml(name: string, disks: number): string {
  const parts = [`<domain type='kvm'><name>${name}</name><devices>`];
  for (let i = 0; i < disks; i++) parts.push(`<disk type='file' device='disk'><source file='/var/lib/libvirt/images/${name}-${i}.qcow2'/></disk>`);
  parts.push('</devices></domain>');
  return parts.join('\n');
}

/** A store whose every call and every returned element is counted. */
function countingStore(): { store: HostStore; work: () => number; reset: () => void } {
  const inner = createMemoryStore();
  let units = 0;
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        units++;
        const out = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (Array.isArray(out)) units += out.length;
        return out;
      };
    },
  });
  return { store, work: () => units, reset: () => void (units = 0) };
}

type Phase = 'define' | 'start' | 'stop' | 'list';

function measure(disks: number): Record<Phase, number> {
  const { store, work, reset } = countingStore();
  const m = new LabelManager({ store, drivers: ['selinux', 'dac'], rng: seededRng(disks) });
  const xml = domainXml('big', disks);
  const counts = {} as Record<Phase, number>;
  const phase = (p: Phase, fn: () => unknown): void => {
    reset();
    fn();
    counts[p] = work();
  };
  phase('define', () => m.define(xml, 'big.xml'));
  phase('start', () => m.start('big'));
  phase('list', () => m.list());
  phase('stop', () => m.stop('big'));
  return counts;
}

describe('many disks: linear work', () => {
  it('define/start/list/stop work at 250, 500 and 1000 disks grows at most ~linearly', () => {
    const sizes = [250, 500, 1000];
    const results = sizes.map(measure);
    for (const p of ['define', 'start', 'list', 'stop'] as const) {
      for (let k = 1; k < sizes.length; k++) {
        const ratio = results[k]![p] / Math.max(1, results[k - 1]![p]);
        const linear = ratio <= 2.3;
        record('many-disks', linear ? 'ok' : 'hang', `${p} ${sizes[k - 1]}→${sizes[k]} disks: work ×${ratio.toFixed(2)}`);
        expect(ratio, `${p}: work ${results[k - 1]![p]} → ${results[k]![p]} when disks double`).toBeLessThanOrEqual(2.3);
      }
    }
  });
});
