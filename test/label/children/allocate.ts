/**
 * Child process for store-multiprocess.test.ts: opens the shared SQLite state file with its own
 * connection and allocator, then defines and starts `count` guests (stopping every third one again)
 * as fast as it can, competing with its siblings. argv: dbPath prefix count seed.
 */
import { LabelManager } from '../../../src/label/manager.js';
import { seededRng } from '../../../src/label/mcs-alloc.js';
import { openSqliteStore } from '../../../src/label/store.js';

const [dbPath, prefix, countText, seedText] = process.argv.slice(2) as [string, string, string, string];
const store = openSqliteStore(dbPath, { busyTimeoutMs: 30_000 });
const m = new LabelManager({
  store,
  drivers: ['selinux', 'dac'],
  selinux: { daemonContext: 'system_u:system_r:virtd_t:s0-s0:c0.c15' },
  rng: seededRng(Number(seedText)),
});
const started: string[] = [];
for (let i = 0; i < Number(countText); i++) {
  const name = `${prefix}-${i}`;
  m.define({ name, disks: [{ source: `/var/lib/libvirt/images/${name}.qcow2` }, { source: '/var/lib/libvirt/images/shared.img', shareable: true }] });
  started.push(m.start(name).live[0]!.mcsLevel!);
  if (i % 3 === 2) m.stop(name);
}
store.close();
process.stdout.write(JSON.stringify({ prefix, started: started.length }) + '\n');
