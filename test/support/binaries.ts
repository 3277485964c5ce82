import { fileURLToPath } from 'node:url';

/** The built entry points, as `npm install` leaves them (tests run from dist/test/...). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MULTIPASSD_BIN = fileURLToPath(new URL('../../src/app/multipassd.js', import.meta.url));
export const MULTIPASS_BIN = fileURLToPath(new URL('../../src/app/multipass.js', import.meta.url));
