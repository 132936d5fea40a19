/**
 * Paths for the file_contexts conformance test: instantiated from the specifications' own regexes
 * (a random string each regex matches, then variations), libvirt's paths, home directories, and
 * edge cases (trailing `/`, `//`, `/./`, `..`, very long, non-ASCII, newlines, substitution
 * aliases, relative paths that match nothing). Seeded: the same seed gives the same paths.
 */
import { seededRng } from '../../src/label/mcs-alloc.js';

/** Characters a `.` or a negated class may produce: ASCII, a slash, a dot, and non-ASCII ones. */
const ALPHABET = ['a', 'b', 'x', 'z', 'Q', '0', '7', '.', '-', '_', '+', '~', '/', 'é', '日', ' '];

type Node =
  | { kind: 'lit'; ch: string }
  | { kind: 'any' }
  | { kind: 'class'; negated: boolean; chars: string[] }
  | { kind: 'group'; alts: Node[][] }
  | { kind: 'repeat'; node: Node; min: number; max: number }
  | { kind: 'empty' };

class Unsupported extends Error {}

/** A tiny parser for the regex subset file_contexts use (enough to sample strings from). */
function parseRegex(src: string): Node[][] {
  let i = 0;
  const alt = (): Node[][] => {
    const alts: Node[][] = [[]];
    while (i < src.length && src[i] !== ')') {
      if (src[i] === '|') {
        i++;
        alts.push([]);
        continue;
      }
      let node = atom();
      const q = src[i];
      if (q === '?' || q === '*' || q === '+') {
        i++;
        node = { kind: 'repeat', node, min: q === '+' ? 1 : 0, max: q === '?' ? 1 : 3 };
      } else if (q === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
        if (m) {
          i += m[0].length;
          const min = Number(m[1]);
          const max = m[2] === undefined ? min : m[3] ? Number(m[3]) : min + 2;
          node = { kind: 'repeat', node, min, max: Math.min(max, min + 2) };
        }
      }
      alts[alts.length - 1]!.push(node);
    }
    return alts;
  };
  const atom = (): Node => {
    const c = src[i]!;
    if (c === '(') {
      i++;
      if (src[i] === '?') {
        if (src[i + 1] !== ':') throw new Unsupported();
        i += 2;
      }
      const alts = alt();
      if (src[i] !== ')') throw new Unsupported();
      i++;
      return { kind: 'group', alts };
    }
    if (c === '.') {
      i++;
      return { kind: 'any' };
    }
    if (c === '^' || c === '$') {
      i++;
      return { kind: 'empty' };
    }
    if (c === '\\') {
      const e = src[i + 1];
      i += 2;
      if (e === undefined) throw new Unsupported();
      if (e === 'd') return { kind: 'class', negated: false, chars: ['0', '5', '9'] };
      if (e === 'w') return { kind: 'class', negated: false, chars: ['a', 'Z', '_', '3'] };
      if (e === 's') return { kind: 'class', negated: false, chars: [' ', '\t'] };
      if (/[A-Za-z0-9]/.test(e)) throw new Unsupported();
      return { kind: 'lit', ch: e };
    }
    if (c === '[') {
      i++;
      const negated = src[i] === '^';
      if (negated) i++;
      const chars: string[] = [];
      let first = true;
      while (i < src.length && (src[i] !== ']' || first)) {
        first = false;
        let ch = src[i]!;
        if (ch === '\\') {
          ch = src[i + 1]!;
          i++;
        }
        if (src[i + 1] === '-' && src[i + 2] !== undefined && src[i + 2] !== ']') {
          const lo = ch.charCodeAt(0);
          const hi = src[i + 2]!.charCodeAt(0);
          for (let k = lo; k <= hi && k < lo + 40; k++) chars.push(String.fromCharCode(k));
          i += 3;
          continue;
        }
        chars.push(ch);
        i++;
      }
      if (src[i] !== ']') throw new Unsupported();
      i++;
      return { kind: 'class', negated, chars };
    }
    i++;
    return { kind: 'lit', ch: c };
  };
  const alts = alt();
  if (i !== src.length) throw new Unsupported();
  return alts;
}

function sample(alts: Node[][], rnd: () => number): string {
  const seq = alts[Math.floor(rnd() * alts.length)]!;
  let out = '';
  for (const n of seq) out += sampleNode(n, rnd);
  return out;
}

function pick<T>(xs: readonly T[], rnd: () => number): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function sampleNode(n: Node, rnd: () => number): string {
  switch (n.kind) {
    case 'lit':
      return n.ch;
    case 'any':
      return rnd() < 0.7 ? pick(['a', 'b', 'x', 'z', '0', '-'], rnd) : pick(ALPHABET, rnd);
    case 'class': {
      if (!n.negated) return n.chars.length ? pick(n.chars, rnd) : '';
      const allowed = ALPHABET.filter((c) => !n.chars.includes(c));
      return allowed.length ? pick(allowed, rnd) : '';
    }
    case 'group':
      return sample(n.alts, rnd);
    case 'repeat': {
      const k = n.min + Math.floor(rnd() * (n.max - n.min + 1));
      let out = '';
      for (let j = 0; j < k; j++) out += sampleNode(n.node, rnd);
      return out;
    }
    case 'empty':
      return '';
  }
}

/** A random string `regex` (file_contexts dialect) matches, or undefined for constructs not sampled. */
export function sampleFromRegex(regex: string, rnd: () => number): string | undefined {
  try {
    return sample(parseRegex(regex), rnd);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

const LIBVIRT_PATHS = [
  '/var/lib/libvirt/images/guest.qcow2',
  '/var/lib/libvirt/images/',
  '/var/lib/libvirt/images',
  '/var/lib/libvirt/boot/debian.iso',
  '/var/lib/libvirt/isos/x.iso',
  '/var/lib/libvirt/qemu/domain-1-guest/monitor.sock',
  '/var/lib/libvirt/qemu/channel/target/domain-1-guest/org.qemu.guest_agent.0',
  '/var/lib/libvirt/qemu/nvram/guest_VARS.fd',
  '/var/lib/libvirt/dnsmasq/default.conf',
  '/var/lib/libvirt/lockd/files',
  '/var/lib/libvirt',
  '/var/log/libvirt/qemu/guest.log',
  '/var/cache/libvirt/qemu/capabilities/x.xml',
  '/run/libvirt/qemu/guest.pid',
  '/run/libvirt/qemu/guest.xml',
  '/run/libvirt/virtqemud-sock',
  '/run/libvirt/virtlockd-sock',
  '/run/libvirt/network/default.pid',
  '/var/run/libvirt/qemu/guest.pid',
  '/var/run/libvirt/libvirt-sock',
  '/etc/libvirt/qemu/guest.xml',
  '/etc/libvirt/qemu.conf',
  '/etc/libvirt',
  '/etc/libvirt/qemu/networks/default.xml',
  '/usr/bin/qemu-system-x86_64',
  '/usr/bin/qemu-kvm',
  '/usr/libexec/qemu-kvm',
  '/usr/sbin/libvirtd',
  '/usr/sbin/virtqemud',
  '/usr/sbin/virtlogd',
  '/usr/bin/virsh',
  '/usr/lib/libvirt/libvirt_lxc',
  '/usr/lib/qemu/qemu-bridge-helper',
  '/dev/kvm',
  '/dev/vfio/vfio',
  '/dev/vfio/12',
  '/dev/net/tun',
  '/dev/vhost-net',
  '/dev/sda',
  '/dev/vda1',
  '/dev/mapper/vg-guest',
  '/dev/null',
  '/dev/hugepages/libvirt/qemu',
  '/tmp/guest.sock',
  '/home/alice/.config/libvirt/qemu/guest.xml',
  '/home/alice/.local/share/libvirt/images/guest.qcow2',
  '/home/alice/.cache/libvirt/qemu/log',
  '/home/alice/VirtualMachines/x.img',
  '/root/.local/share/libvirt/images/x.qcow2',
];

const HOME_NAMES = ['alice', 'bob', 'user1', 'x', 'ünïcode', 'with space'];
const HOME_TAILS = ['', '/', '/.ssh', '/.ssh/authorized_keys', '/public_html/index.html', '/www/cgi-bin/x.cgi', '/.k5login', '/bin/tool', '/.mozilla/firefox', '/Music/a.mp3', '/.gnupg/pubring.kbx', '/.config/pulse/cookie', '/.local/share/keyrings/k', '/a/b/c/d/e', '/.xauthXYZ', '/quota.user'];

/** Variations that exercise libselinux's key handling on a path that matches something. */
function variations(p: string, rnd: () => number): string[] {
  const out = [`${p}/`, p.replace('/', '//'), `${p}//`, p.replace(/\/(?=[^/]*$)/, '/./'), `${p}/..`, `${p}/x`, p.slice(0, -1), `${p}é`, `${p}\n`];
  return out.filter(() => rnd() < 0.35);
}

/** Exactly `count` distinct paths (no NUL; may hold newlines and non-ASCII), seeded. */
export function conformancePaths(regexes: readonly string[], count: number, seed = 11): string[] {
  const rnd = seededRng(seed);
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (p: string | undefined): void => {
    if (p === undefined || p.includes('\0') || seen.has(p) || out.length >= count) return;
    seen.add(p);
    out.push(p);
  };
  // fixed edge cases
  for (const p of LIBVIRT_PATHS) add(p);
  for (const name of HOME_NAMES) for (const tail of HOME_TAILS) add(`/home/${name}${tail}`);
  for (const tail of HOME_TAILS) add(`/root${tail}`);
  const edges = [
    '/', '//', '///', '/.', '/./', '/..', '/etc/', '/etc//passwd', '//etc/passwd', '/etc/./passwd', '/etc/../etc/passwd',
    '/run/lock', '/run/lock/x', '/var/run/lock', '/var/run', '/var/run/', '/lib64', '/lib64/', '/lib64x', '/lib64/libc.so.6', '/lib64x/y',
    '/usr/lib64/x', '/usr/local/lib/libfoo.so', '/usr/local/lib64/a', '/etc/init.d/ssh', '/etc/systemd/system/a.service', '/bin/sh', '/sbin/init',
    '/var/lib/private/x', '/var/cache/private', '/etc/init.dx', 'relative', 'relative/path', 'usr/bin/ls', './etc', '../etc', 'a/', ' /etc', '/etc ', '/etc\t',
    '/etc\n', '/etc\n\n', '\n', '/\n', '/ét/é', '/etc/日本語', '/usr/bin/\u00a0', '/home', '/home/', '/tmp', '/tmp/', '/proc/1/status', '/sys/fs/selinux/enforce',
    `/${'a'.repeat(5000)}`, `/usr/${'b/'.repeat(600)}c`, `/home/alice/${'é'.repeat(300)}`, '/etc/my.cnf', '/etc/myXcnf', '/etc/passwd\n',
    // a `.` is one byte (PCRE2 without UTF), and matches a newline (DOTALL)
    '/etc/dhcp/dhclient-exit-hooksXd', '/etc/dhcp/dhclient-exit-hooksed', '/etc/dhcp/dhclient-exit-hooks\u00e9d', '/etc/dhcp/dhclient-exit-hooks\nd', '/etc/dhcp/dhclient-enter-hooks\u00e9d/x',
  ];
  for (const p of edges) add(p);
  // instantiated from the regexes, with variations, until `count`
  const base: string[] = [];
  for (const r of regexes) {
    const s = sampleFromRegex(r, rnd);
    if (s !== undefined && s.length > 0) {
      base.push(s);
      add(s);
    }
  }
  for (const s of base) for (const v of variations(s, rnd)) add(v);
  for (let round = 0; out.length < count && round < 50; round++) {
    for (const r of regexes) {
      if (out.length >= count) break;
      add(sampleFromRegex(r, rnd));
    }
  }
  for (let k = 0; out.length < count; k++) add(`/nothing-${k}/${pick(ALPHABET, rnd)}`);
  return out;
}
