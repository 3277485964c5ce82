import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from './package-root.js';

let version: string | undefined;

/** The version in package.json, which both binaries report. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string }).version;
  return version;
}
