import { expect } from 'chai';
import { chmodSync, chownSync, existsSync, lchownSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTrustedDirectory, requireTrustedDirectory, type DirectoryRole } from '../../../src/adapters/fs/trusted-directory.js';
import { UnsafePathError } from '../../../src/adapters/fs/unsafe-path-error.js';
import { makeTempDir } from '../../support/temp-dir.js';

const ROLE: DirectoryRole = { name: 'the data directory', option: '--data-dir' };
const NOBODY = 65534;

function refusal(work: () => void): UnsafePathError {
  try {
    work();
  } catch (error) {
    expect(error).to.be.instanceOf(UnsafePathError);
    return error as UnsafePathError;
  }
  expect.fail('expected an UnsafePathError');
}

function requireRoot(context: Mocha.Context, why: string): void {
  if (process.getuid?.() !== 0) {
    console.log(`      skipped: ${why} needs root`);
    context.skip();
  }
}

describe('requireTrustedDirectory (StrictModes for the directories multipassd uses)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let parent: string;
  let dir: string;

  beforeEach(function () {
    if (process.platform === 'win32') this.skip();
    temp = makeTempDir();
    parent = join(temp.path, 'parent');
    dir = join(parent, 'data');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(parent, 0o755);
    chmodSync(dir, 0o700);
  });
  afterEach(() => temp?.remove());

  it('accepts a private directory below a sticky root-owned one like /tmp', () => {
    expect(() => requireTrustedDirectory(dir, ROLE)).to.not.throw();
  });

  it('refuses the directory when it is a symbolic link, naming the link', () => {
    const link = join(parent, 'link');
    symlinkSync(dir, link);
    const error = refusal(() => requireTrustedDirectory(link, ROLE));
    expect(error.path).to.equal(link);
    expect(error.message).to.contain(`'${link}'`).and.contain('symbolic link');
  });

  it('refuses a directory its group or everyone can write, naming the mode and the fix', () => {
    for (const mode of [0o770, 0o707, 0o1777]) {
      chmodSync(dir, mode);
      const error = refusal(() => requireTrustedDirectory(dir, ROLE));
      expect(error.path).to.equal(dir);
      expect(error.message).to.contain(`the data directory '${dir}'`).and.contain(`mode ${mode.toString(8).padStart(4, '0')}`);
      expect(error.message).to.contain(`chmod go-w '${dir}'`).and.contain('--data-dir');
    }
  });

  it('refuses a directory below one that others can write, naming that parent', () => {
    chmodSync(parent, 0o777);
    const error = refusal(() => requireTrustedDirectory(dir, ROLE));
    expect(error.path).to.equal(parent);
    expect(error.message).to.contain(`'${parent}' is writable by its group and all users (mode 0777`);
    expect(error.message).to.contain(`chmod go-w '${parent}'`);
  });

  it('refuses a parent reached through a relative symbolic link when the real directory is unsafe', () => {
    const link = join(temp.path, 'via');
    symlinkSync('parent', link);
    expect(() => requireTrustedDirectory(join(link, 'data'), ROLE)).to.not.throw();
    chmodSync(parent, 0o777);
    expect(refusal(() => requireTrustedDirectory(join(link, 'data'), ROLE)).path).to.equal(parent);
  });

  it('refuses a directory owned by another user', function () {
    requireRoot(this, 'chown to another user');
    chownSync(dir, NOBODY, NOBODY);
    const error = refusal(() => requireTrustedDirectory(dir, ROLE));
    expect(error.message).to.contain(`is owned by uid ${NOBODY}`).and.contain(`chown root '${dir}'`);
  });

  it('refuses a sticky world-writable parent unless root owns it', function () {
    requireRoot(this, 'chown to another user');
    chmodSync(parent, 0o1777);
    expect(() => requireTrustedDirectory(dir, ROLE), 'sticky and root-owned, like /tmp').to.not.throw();
    chownSync(parent, NOBODY, NOBODY);
    expect(refusal(() => requireTrustedDirectory(dir, ROLE)).path).to.equal(parent);
  });

  it('refuses a path through a symbolic link another user owns, and accepts one root owns', function () {
    requireRoot(this, 'lchown to another user');
    const link = join(temp.path, 'via');
    symlinkSync(parent, link);
    expect(() => requireTrustedDirectory(join(link, 'data'), ROLE)).to.not.throw();
    lchownSync(link, NOBODY, NOBODY);
    const error = refusal(() => requireTrustedDirectory(join(link, 'data'), ROLE));
    expect(error.path).to.equal(link);
    expect(error.message).to.contain(`symbolic link owned by uid ${NOBODY}`);
  });

  describe('ensureTrustedDirectory', () => {
    it('creates a missing directory with exactly the mode asked for', () => {
      const fresh = join(parent, 'fresh', 'data');
      ensureTrustedDirectory(fresh, 0o755, ROLE);
      expect(statSync(fresh).mode & 0o777).to.equal(0o755);
      expect(statSync(join(parent, 'fresh')).mode & 0o777).to.equal(0o755);
    });

    it('creates nothing inside a directory others can write', () => {
      chmodSync(parent, 0o777);
      const fresh = join(parent, 'fresh');
      expect(refusal(() => ensureTrustedDirectory(fresh, 0o755, ROLE)).path).to.equal(parent);
      expect(existsSync(fresh)).to.equal(false);
    });

    it('refuses an existing directory others can write, without changing its mode', () => {
      chmodSync(dir, 0o777);
      refusal(() => ensureTrustedDirectory(dir, 0o755, ROLE));
      expect(statSync(dir).mode & 0o777).to.equal(0o777);
    });
  });
});
