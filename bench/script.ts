/** Shared plumbing for the bench/*.bench.ts scripts: run-as-script detection and `--flag VALUE` lookup. */
import { pathToFileURL } from 'node:url';

/** true when the module at `moduleUrl` is the script node/tsx was started with (not an import) */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && moduleUrl === pathToFileURL(script).href;
}

/** the value after `--name` on the command line, if any */
export function flagValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** `--name` present on the command line */
export function hasFlag(name: string): boolean {
  return process.argv.includes(name);
}
