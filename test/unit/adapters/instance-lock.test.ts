import { expect } from 'chai';
import { existsSync, linkSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireInstanceLock, InstanceLockedError } from '../../../src/adapters/fs/instance-lock.js';
import { libcAvailable } from '../../../src/adapters/system/libc.js';
import { makeTempDir } from '../../support/temp-dir.js';

const conflict = (holder: string) => `taken by ${holder}`;

async function lockedError(promise: Promise<unknown>): Promise<InstanceLockedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InstanceLockedError) return error;
    throw error;
  }
  throw new Error('expected an InstanceLockedError');
}

describe('acquireInstanceLock', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let path: string;

  beforeEach(() => {
    temp = makeTempDir();
    path = join(temp.path, 'multipassd.lock');
  });
  afterEach(() => temp.remove());

  it('is held by one taker at a time, which it names by pid, and can be taken again once released', async () => {
    const first = await acquireInstanceLock(path, conflict);
    expect(readFileSync(path, 'utf8')).to.equal(`${process.pid}\n`);

    const error = await lockedError(acquireInstanceLock(path, conflict));
    expect(error.message).to.equal(`taken by pid ${process.pid}`);
    expect(error.holderPid).to.equal(process.pid);

    first.release();
    first.release();
    const second = await acquireInstanceLock(path, conflict);
    second.release();
  });

  it('takes over a lock file left behind by a holder that is gone', async () => {
    writeFileSync(path, '999999999\n');
    const lock = await acquireInstanceLock(path, conflict);
    expect(readFileSync(path, 'utf8')).to.equal(`${process.pid}\n`);
    lock.release();
  });

  it('follows no symlink planted at its name, and creates nothing where it points', async function () {
    if (!libcAvailable()) this.skip();
    const target = join(temp.path, 'elsewhere');
    symlinkSync(target, path);
    let failure: unknown;
    await acquireInstanceLock(path, conflict).catch((error: unknown) => (failure = error));
    expect((failure as NodeJS.ErrnoException | undefined)?.code).to.equal('ELOOP');
    expect(existsSync(target)).to.equal(false);
  });

  it('refuses a lock file with a second name (a hard link to some other file)', async function () {
    if (!libcAvailable()) this.skip();
    const other = join(temp.path, 'precious');
    writeFileSync(other, 'keep me');
    linkSync(other, path);
    const error = await lockedError(acquireInstanceLock(path, conflict));
    expect(error.message).to.contain(path).and.to.contain('Delete it');
    expect(readFileSync(other, 'utf8')).to.equal('keep me');
  });
});
