import { readFileSync } from 'node:fs';

let version: string | undefined;

/** The version in package.json, which both binaries report. */
export function packageVersion(): string {
  // Compiled to dist/src/app/, three levels below the package root.
  version ??= (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}
