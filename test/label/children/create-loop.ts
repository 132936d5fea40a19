/**
 * Child process for store-creation.test.ts: creates fresh state files `host-N.db` in DIR, one
 * after the other, until the parent kills it with SIGKILL (so the kill lands inside a creation
 * most of the time). Sends 'ready' over IPC after its first creation. argv: dir.
 */
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/label/store.js';

const [dir] = process.argv.slice(2) as [string];
for (let i = 0; ; i++) {
  openSqliteStore(join(dir, `host-${i}.db`)).close();
  if (i === 0) process.send?.('ready');
}
