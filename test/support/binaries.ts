import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (tests run from dist/test/...). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// What package.json's bin names, as `npm install` links it: the tests run what users run (the
// CLI's bundle, not tsc's output).
const bin = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;
export const MULTIPASSD_BIN = join(REPO_ROOT, bin.multipassd!);
export const MULTIPASS_BIN = join(REPO_ROOT, bin.multipass!);
