/**
 * canonicalPath: one file, one key. Properties (fast-check, seeded): canonicalisation is
 * idempotent, and every spelling of a path (`.`, `..` detours, repeated and trailing `/`) maps to
 * the same key. Unit cases: refusals (relative, empty, NUL, NAME_MAX, PATH_MAX) and symbolic-link
 * resolution in the kernel's order with the MAXSYMLINKS bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { MAX_SYMLINKS, NAME_MAX, PATH_MAX, canonicalPath, isLexicallyCanonical } from '../../src/label/paths.js';

const SEED = Number(process.env['SVIRT_PROPERTY_SEED'] ?? 20261206);

/** a canonical path: `/` + components that are neither empty, `.` nor `..` */
const component = fc.stringMatching(/^[a-z0-9._-]{1,8}$/).filter((c) => c !== '.' && c !== '..');
const canonical = fc.array(component, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`);

/** one way of writing a component list: each separator 1–3 slashes, `.` and `x/..` detours */
const respelling = (parts: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), component, fc.boolean()), {
        minLength: parts.length + 1,
        maxLength: parts.length + 1,
      }),
      fc.boolean(),
    )
    .map(([seps, trailing]) => {
      let out = '';
      for (let i = 0; i <= parts.length; i++) {
        const [slashes, extra, detour, dot] = seps[i]!;
        out += '/'.repeat(slashes);
        if (extra === 1) out += `${dot ? '.' : `${detour}/..`}/`;
        if (extra === 2) out += `./${detour}/../`;
        if (i < parts.length) out += parts[i];
      }
      return trailing ? out : out.replace(/\/+$/, '') || '/';
    });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SvirtError);
    expect((err as SvirtError).code).toBe('E_USAGE');
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('canonicalPath', () => {
  it('the issue reproducers are one file', () => {
    const key = '/var/lib/libvirt/images/shared.img';
    for (const spelling of [
      '/var/lib/libvirt/images/./shared.img',
      '//var/lib/libvirt/images/shared.img',
      '/var/lib/libvirt/images/../images/shared.img',
      '/var/lib/libvirt/images/shared.img/',
      '/var//lib/./libvirt/x/../images//shared.img/.',
      '/../var/lib/libvirt/images/shared.img',
    ]) {
      expect(canonicalPath(spelling), spelling).toBe(key);
    }
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalPath('//')).toBe('/');
    expect(canonicalPath('/a/..')).toBe('/');
  });

  it('property: any spelling of a canonical path maps to it, and canonical paths are fixed points', () => {
    fc.assert(
      fc.property(
        canonical.chain((c) => fc.tuple(fc.constant(c), respelling(c === '/' ? [] : c.slice(1).split('/')), respelling(c === '/' ? [] : c.slice(1).split('/')))),
        ([c, a, b]) => {
          expect(isLexicallyCanonical(c)).toBe(true);
          expect(canonicalPath(c)).toBe(c);
          expect(canonicalPath(a)).toBe(c);
          expect(canonicalPath(b)).toBe(canonicalPath(a));
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('property: idempotent on any absolute path', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\/[a-z./]{0,40}$/), (p) => {
        const once = canonicalPath(p);
        expect(canonicalPath(once)).toBe(once);
        expect(isLexicallyCanonical(once)).toBe(true);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('refuses what cannot name a file, quoting the input on one line', () => {
    expect(refusal(() => canonicalPath('images/shared.img', 'disk 1 source'))).toBe(
      'disk 1 source "images/shared.img": must be an absolute path (relative paths are refused, as libvirt refuses them)',
    );
    expect(refusal(() => canonicalPath('./shared.img'))).toMatch(/must be an absolute path/);
    expect(refusal(() => canonicalPath(''))).toMatch(/empty path/);
    expect(refusal(() => canonicalPath('/a\0b'))).toBe('path "/a\\x00b": NUL in path');
    expect(refusal(() => canonicalPath(`/${'x'.repeat(NAME_MAX + 1)}`))).toMatch(/NAME_MAX/);
    expect(canonicalPath(`/${'x'.repeat(NAME_MAX)}`)).toHaveLength(NAME_MAX + 1);
    expect(refusal(() => canonicalPath(`/${'a/'.repeat(PATH_MAX / 2)}`))).toMatch(/PATH_MAX.*$/);
    const long = refusal(() => canonicalPath(`rel\n${'y'.repeat(500)}`));
    expect(long.length).toBeLessThan(200);
    expect(refusal(() => canonicalPath(42))).toMatch(/not a string/);
  });

  it('follows symbolic links in the kernel order, bounded by MAXSYMLINKS', () => {
    const links = new Map<string, string>([
      ['/srv/img', '/var/lib/libvirt/images'],
      ['/srv/rel', '../var/lib/libvirt/images/shared.img'],
      ['/var/lib/libvirt/images/alias.img', 'shared.img'],
      ['/loop/a', '/loop/b'],
      ['/loop/b', '/loop/a'],
    ]);
    const readlink = (p: string): string | undefined => links.get(p);
    const key = '/var/lib/libvirt/images/shared.img';
    expect(canonicalPath('/srv/img/shared.img', 'path', readlink)).toBe(key);
    expect(canonicalPath('/srv/rel', 'path', readlink)).toBe(key);
    expect(canonicalPath('/srv//img/./alias.img/', 'path', readlink)).toBe(key);
    // `..` after a link applies to the link's target (kernel), not lexically to `/srv`
    expect(canonicalPath('/srv/img/../images/shared.img', 'path', readlink)).toBe(key);
    expect(canonicalPath('/srv/img/..', 'path', readlink)).toBe('/var/lib/libvirt');
    expect(refusal(() => canonicalPath('/loop/a/x', 'path', readlink))).toMatch(new RegExp(`more than ${MAX_SYMLINKS}`));
    // lexical without a resolver
    expect(canonicalPath('/srv/img/../images/shared.img')).toBe('/srv/images/shared.img');
  });
});
