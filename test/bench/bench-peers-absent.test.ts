/**
 * casbin and Cedar are dev dependencies: when a library user's install lacks them, `svirt bench`
 * leaves their rows out, says how to get them, and runs everything else. The two packages are made
 * unimportable here with vitest module mocks that throw, as a missing package does.
 */
import { describe, expect, it, vi } from 'vitest';
import { svirt } from '../support/cli.js';

vi.mock('casbin', () => {
  throw new Error("Cannot find package 'casbin'");
});
vi.mock('@cedar-policy/cedar-wasm/nodejs', () => {
  throw new Error("Cannot find package '@cedar-policy/cedar-wasm'");
});

describe('svirt bench without casbin and Cedar', () => {
  it('runs the hit suite without their rows and names the install command', async () => {
    const r = await svirt('bench', '--suite', 'hit', '--quick');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('== hit:');
    expect(r.out).toMatch(/svirt Wasm, hasPermNoAudit\s+[\d.,]+/);
    expect(r.out).not.toMatch(/^\s+casbin \d/m);
    expect(r.out).not.toMatch(/^\s+Cedar \d/m);
    expect(r.out).toContain('casbin skipped: casbin is not installed (a dev dependency of svirt: npm install --no-save casbin@5.51.1)');
    expect(r.out).toContain('cedar skipped: Cedar is not installed (a dev dependency of svirt: npm install --no-save @cedar-policy/cedar-wasm@4.13.0)');
  });
});
