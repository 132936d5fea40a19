/**
 * Golden label decisions, as libvirt's securityselinuxlabeltest does: for each domain XML in
 * golden/, start the guest with a seeded allocator and list `path;context` for the process and every
 * labelled file, then stop it and list every disk file's label again. The expected text lives in
 * golden/<scenario>.txt (regenerate deliberately with SVIRT_UPDATE_GOLDEN=1 and review the diff).
 * Optional golden/<scenario>.pre.txt presets file labels (`path;context`) before the start.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LabelManager, diskPaths } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { createMemoryStore } from '../../src/label/store.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const scenarios = readdirSync(dir)
  .filter((f) => f.endsWith('.xml'))
  .map((f) => f.slice(0, -4))
  .sort();

function decide(name: string): string {
  const store = createMemoryStore();
  const m = new LabelManager({ store, drivers: ['selinux'], rng: seededRng(20240611) });
  const pre = join(dir, `${name}.pre.txt`);
  if (existsSync(pre)) {
    for (const line of readFileSync(pre, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))) {
      const [path, ctx] = line.split(';') as [string, string];
      store.setFileLabel(path, 'selinux', ctx);
    }
  }
  const def = m.define(readFileSync(join(dir, `${name}.xml`), 'utf8'), `${name}.xml`).def;
  const started = m.start(def.name);
  const lines = ['# start', `process;${started.live[0]?.label ?? '(exec transition)'}`];
  for (const f of started.files) lines.push(`${f.path};${f.label}`);
  m.stop(def.name);
  lines.push('# after stop');
  for (const path of diskPaths(def)) lines.push(`${path};${m.fileLabel(path)}`);
  expect(store.checkConsistency()).toEqual([]);
  return lines.join('\n') + '\n';
}

describe('golden label decisions (path;context)', () => {
  it('has one golden case per scenario the brief lists', () => {
    expect(scenarios).toEqual(
      ['backing-chain', 'baselabel-type', 'dynamic-guest', 'readonly-disk', 'relabel-no', 'restore-after-stop', 'shared-disk', 'static-guest'],
    );
  });
  for (const name of scenarios) {
    it(name, () => {
      const actual = decide(name);
      const file = join(dir, `${name}.txt`);
      if (process.env['SVIRT_UPDATE_GOLDEN'] === '1') writeFileSync(file, actual);
      expect(actual).toBe(readFileSync(file, 'utf8'));
    });
  }
});
