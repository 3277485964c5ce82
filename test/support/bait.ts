import { expect } from 'chai';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A file or directory the test owns, standing in for /etc/shadow or /etc: what a hostile user
 * would point a planted link at. `expectUntouched` fails if anything about it changed: content
 * (or, for a directory, its entries), mode, owner, group or modification time.
 */
export interface Bait {
  readonly path: string;
  /** Makes `linkPath` a symbolic link to the bait. */
  plantAt(linkPath: string): void;
  expectUntouched(): void;
}

const BAIT_FILE_MODE = 0o640;
const BAIT_DIR_MODE = 0o750;

/** `content` '' makes an empty file: the one thing SQLite would happily turn into a database. */
export function baitFile(dir: string, name = 'bait-file', content = 'precious, not multipassd\'s\n'): Bait {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: BAIT_FILE_MODE });
  return watch(path, () => readFileSync(path, 'latin1'));
}

export function baitDir(dir: string, name = 'bait-dir'): Bait {
  const path = join(dir, name);
  mkdirSync(path, { mode: BAIT_DIR_MODE });
  writeFileSync(join(path, 'keep'), 'kept\n');
  return watch(path, () => readdirSync(path).sort().join(','));
}

function watch(path: string, contentOf: () => string): Bait {
  const snapshot = () => {
    const stats = statSync(path);
    return { content: contentOf(), mode: (stats.mode & 0o7777).toString(8), uid: stats.uid, gid: stats.gid, mtimeMs: stats.mtimeMs };
  };
  const before = snapshot();
  return {
    path,
    plantAt: (linkPath) => symlinkSync(path, linkPath),
    expectUntouched: () => expect(snapshot(), `the link's target ${path}`).to.deep.equal(before),
  };
}
