/**
 * The package's root directory. This file is two levels below it in dist/src/app/, where the
 * daemon's bundle (dist/src/app/multipassd.js) sits too: a path from here stays right in both.
 */
export const PACKAGE_ROOT = new URL('../../../', import.meta.url);
