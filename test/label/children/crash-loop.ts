/**
 * Child process for store-kill9.test.ts: starts, stops, destroys and undefines guests with two
 * images each in an endless loop on the SQLite state file, until the parent kills it with SIGKILL.
 * Sends 'ready' over IPC after its first committed start. argv: dbPath prefix seed.
 */
import { LabelManager } from '../../../src/label/manager.js';
import { seededRng } from '../../../src/label/mcs-alloc.js';
import { openSqliteStore } from '../../../src/label/store.js';

const [dbPath, prefix, seedText] = process.argv.slice(2) as [string, string, string];
const rng = seededRng(Number(seedText));
const store = openSqliteStore(dbPath, { busyTimeoutMs: 30_000 });
const m = new LabelManager({ store, drivers: ['selinux', 'dac'], rng });
m.reconnect();
let ready = false;
for (let i = 0; ; i++) {
  const name = `${prefix}-${i % 50}`;
  const rec = store.getGuest(name);
  if (rec?.state === 'running') {
    if (rng() < 0.5) m.stop(name);
    else m.destroy(name);
    if (rng() < 0.3) m.undefine(name);
    continue;
  }
  m.define({
    name,
    disks: [
      { source: `/var/lib/libvirt/images/${name}.qcow2`, backingChain: [{ source: '/var/lib/libvirt/images/base.qcow2' }] },
      { source: `/srv/data/${name}.img` },
      { source: '/var/lib/libvirt/images/common.img', shareable: true },
    ],
  });
  m.start(name);
  store.appendAudit(`started ${name}`);
  if (!ready) {
    ready = true;
    process.send?.('ready');
  }
}
