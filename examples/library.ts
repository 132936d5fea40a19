// Runnable: npx tsx examples/library.ts   (after `npm install`; uses the embedded sVirt policy)
import { createSecurityServer, loadEmbeddedPolicy } from '../src/index.js';

const server = createSecurityServer(loadEmbeddedPolicy());
server.onAudit((record) => console.log(record.text));

const guest = server.contextToSid('system_u:system_r:svirt_t:s0:c1,c2');
const ownImage = server.contextToSid('system_u:object_r:svirt_image_t:s0:c1,c2');
const otherImage = server.contextToSid('system_u:object_r:svirt_image_t:s0:c3,c4');
const file = server.classValue('file');
const readOpen = server.permMask(file, ['read', 'open']);

console.log('own image:', server.hasPerm(guest, ownImage, file, readOpen)); // true
console.log('other image:', server.hasPerm(guest, otherImage, file, readOpen, { pid: 4242, comm: 'qemu-kvm', path: '/var/lib/libvirt/images/b.img' })); // false, one avc: denied record

// many checks per call: typed arrays in, one byte per decision out
const n = 4;
const ssid = new Uint32Array(n).fill(guest);
const tsid = Uint32Array.from([ownImage, otherImage, ownImage, otherImage]);
const tclass = new Uint32Array(n).fill(file);
const requested = new Uint32Array(n).fill(readOpen);
const out = new Uint8Array(n);
server.checkBatch(ssid, tsid, tclass, requested, out);
console.log('batch:', [...out].join(' ')); // 1 0 1 0
console.log(server.avcStats());
