import { expect } from 'chai';
import { chmodSync, lchownSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, writeFileAtomic } from '../../../src/adapters/fs/atomic-write.js';
import { withFileLock } from '../../../src/adapters/fs/file-lock.js';
import { chmodNoFollow } from '../../../src/adapters/fs/no-follow.js';
import { writeThroughOwnLink } from '../../../src/adapters/fs/own-link.js';
import { readIfPresent } from '../../../src/adapters/fs/read-if-present.js';
import { UnsafePathError } from '../../../src/adapters/fs/unsafe-path-error.js';
import { openSqliteDatabase } from '../../../src/adapters/stores/sqlite/sqlite-database.js';
import { AuthError } from '../../../src/domain/auth-error.js';
import { baitDir, baitFile, type Bait } from '../../support/bait.js';
import { NullLogger } from '../../support/fakes/null-logger.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { makeTempDir } from '../../support/temp-dir.js';

/** The refusal names the planted link, and nothing was done through it. */
function expectRefused(error: unknown, link: string, bait: Bait): void {
  const refusal = AuthError.is(error) ? error.cause : error;
  expect(refusal, String(error)).to.be.instanceOf(UnsafePathError);
  expect((refusal as UnsafePathError).path).to.equal(link);
  expect((error as Error).message).to.contain(`'${link}'`).and.contain('symbolic link');
  bait.expectUntouched();
}

function thrownBy(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

describe('file helpers never act through a planted symbolic link', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let own: string;
  let elsewhere: string;

  beforeEach(function () {
    if (process.platform === 'win32') this.skip();
    temp = makeTempDir();
    own = join(temp.path, 'own');
    elsewhere = join(temp.path, 'elsewhere');
    mkdirSync(own);
    mkdirSync(elsewhere);
  });
  afterEach(() => temp?.remove());

  it('writeFileAtomic refuses a link at the file it replaces', async () => {
    const bait = baitFile(elsewhere);
    const link = join(own, 'store.pem');
    bait.plantAt(link);
    expectRefused(await rejectionOf(writeFileAtomic(link, 'new', 0o600)), link, bait);
  });

  it('writeFileAtomic refuses a link where its directory should be', async () => {
    const bait = baitDir(elsewhere);
    const link = join(own, 'authenticated-certs');
    bait.plantAt(link);
    expectRefused(await rejectionOf(writeFileAtomic(join(link, 'store.pem'), 'new', 0o600)), link, bait);
  });

  it('ensureDir refuses a link at the directory and never chmods its target', async () => {
    const bait = baitDir(elsewhere);
    const link = join(own, 'certificate');
    bait.plantAt(link);
    expectRefused(await rejectionOf(ensureDir(link, 0o700)), link, bait);
  });

  it('ensureDir still creates missing directories with exactly their mode', async () => {
    const dir = join(own, 'a', 'b');
    await ensureDir(dir, 0o711);
    expect(statSync(dir).mode & 0o777).to.equal(0o711);
    expect(statSync(join(own, 'a')).mode & 0o777).to.equal(0o711);
  });

  it('withFileLock refuses a link at the lock file, and neither reads, touches nor removes it', async () => {
    const bait = baitFile(elsewhere);
    const store = join(own, 'multipassd.conf');
    const link = `${store}.lock`;
    bait.plantAt(link);
    let ran = false;
    const error = await rejectionOf(withFileLock(store, async () => (ran = true), { timeoutMs: 200, staleAfterMs: 0 }));
    expectRefused(error, link, bait);
    expect(ran).to.equal(false);
    expect(readFileSync(link, 'latin1'), 'the link is still there').to.equal(readFileSync(bait.path, 'latin1'));
  });

  it('readIfPresent refuses a link unless asked to follow it', async () => {
    const bait = baitFile(elsewhere);
    const link = join(own, 'localhost_key.pem');
    bait.plantAt(link);
    expectRefused(await rejectionOf(readIfPresent(link)), link, bait);
    expect(await readIfPresent(link, { followLinks: true })).to.equal(readFileSync(bait.path, 'utf8'));
    expect(await readIfPresent(join(own, 'missing'))).to.equal(undefined);
  });

  it('chmodNoFollow refuses a link and sets the mode of a real file through its descriptor', () => {
    const bait = baitFile(elsewhere);
    const link = join(own, 'multipass_root_cert.pem');
    bait.plantAt(link);
    expectRefused(thrownBy(() => chmodNoFollow(link, 0o644, 'regular file')), link, bait);
    const real = baitFile(own, 'real');
    chmodNoFollow(real.path, 0o600, 'regular file');
    expect(statSync(real.path).mode & 0o777).to.equal(0o600);
  });

  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    it(`openSqliteDatabase refuses a link at multipassd.db${suffix}, even to an empty file SQLite would fill`, () => {
      const bait = baitFile(elsewhere, 'empty', '');
      const db = join(own, 'multipassd.db');
      const link = db + suffix;
      bait.plantAt(link);
      expectRefused(thrownBy(() => openSqliteDatabase(db, new NullLogger()).close()), link, bait);
    });
  }

  it('openSqliteDatabase refuses a link where its directory should be', () => {
    const bait = baitDir(elsewhere);
    const link = join(own, 'data');
    bait.plantAt(link);
    expectRefused(thrownBy(() => openSqliteDatabase(join(link, 'multipassd.db'), new NullLogger()).close()), link, bait);
  });

  describe("writeThroughOwnLink (an admin's link at the settings file)", () => {
    const role = { name: 'the directory the settings file links to', option: '--data-dir' };

    it('replaces the file the link leads to atomically and keeps the link', async () => {
      const target = join(elsewhere, 'multipassd.conf');
      writeFileSync(target, 'old\n');
      const inode = statSync(target).ino;
      const link = join(own, 'multipassd.conf');
      symlinkSync(target, link);
      await writeThroughOwnLink(link, 'new\n', 0o600, role);
      expect(lstatSync(link).isSymbolicLink()).to.equal(true);
      expect(readlinkSync(link)).to.equal(target);
      expect(readFileSync(target, 'utf8')).to.equal('new\n');
      expect(statSync(target).ino, 'a new file renamed over the old one').to.not.equal(inode);
      expect(readdirSync(elsewhere), 'no temp file left').to.deep.equal(['multipassd.conf']);
    });

    it('follows a chain of such links to the last one', async () => {
      const target = join(elsewhere, 'real.conf');
      writeFileSync(target, 'old\n');
      symlinkSync(target, join(elsewhere, 'middle.conf'));
      const link = join(own, 'multipassd.conf');
      symlinkSync(join(elsewhere, 'middle.conf'), link);
      await writeThroughOwnLink(link, 'new\n', 0o600, role);
      expect(readFileSync(target, 'utf8')).to.equal('new\n');
      expect(lstatSync(join(elsewhere, 'middle.conf')).isSymbolicLink()).to.equal(true);
    });

    it('refuses a link another user owns, anywhere in the chain, and writes nothing through it', async function () {
      if (process.getuid?.() !== 0) {
        console.log('        skipped: making a link owned by uid 65534 needs root');
        this.skip();
      }
      const bait = baitFile(elsewhere);
      symlinkSync(bait.path, join(elsewhere, 'theirs'));
      lchownSync(join(elsewhere, 'theirs'), 65534, 65534);
      const link = join(own, 'multipassd.conf');
      symlinkSync(join(elsewhere, 'theirs'), link);
      const error = await rejectionOf(writeThroughOwnLink(link, 'new', 0o600, role));
      expect(error).to.be.instanceOf(UnsafePathError);
      expect((error as Error).message).to.contain(join(elsewhere, 'theirs')).and.contain('owned by uid 65534');
      bait.expectUntouched();
    });

    it('refuses a link into a directory others can write, where the file could be swapped under it', async () => {
      chmodSync(elsewhere, 0o777);
      const bait = baitFile(elsewhere);
      const link = join(own, 'multipassd.conf');
      bait.plantAt(link);
      const error = await rejectionOf(writeThroughOwnLink(link, 'new', 0o600, role));
      expect(error).to.be.instanceOf(UnsafePathError);
      expect((error as Error).message).to.contain(`'${elsewhere}'`).and.contain('chmod go-w');
      bait.expectUntouched();
    });
  });
});
