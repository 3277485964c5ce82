import { expect } from 'chai';
import { chmodSync, existsSync, lstatSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { UnsafePathError } from '../../src/adapters/fs/unsafe-path-error.js';
import { UnixSocketListener, type ChangeOwner } from '../../src/adapters/transports/unix-socket-listener.js';
import { baitDir, baitFile } from '../support/bait.js';
import { NullLogger } from '../support/fakes/null-logger.js';
import { rejectionOf } from '../support/rejection-of.js';
import { makeTempDir } from '../support/temp-dir.js';
import { transportContract } from './transport.contract.js';

transportContract('UnixSocketListener', async (dir) => {
  const path = join(dir, 'multipass_socket');
  return {
    listener: new UnixSocketListener(path, undefined, new NullLogger()),
    restrictable: true,
    sameAddress: () => new UnixSocketListener(path, undefined, new NullLogger()),
    rawConnect: () => connect(path),
  };
});

describe('UnixSocketListener specifics', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let listener: UnixSocketListener;
  let path: string;
  const mode = () => statSync(path).mode & 0o777;

  beforeEach(async () => {
    temp = makeTempDir();
    path = join(temp.path, 'sock');
    listener = new UnixSocketListener(path, undefined, new NullLogger());
    await listener.listen(createServer());
  });
  afterEach(async () => {
    await listener.close();
    temp.remove();
  });

  it('creates the socket owner-only, before anyone restricts or opens it', () => {
    expect(mode()).to.equal(0o600);
  });

  it('stays owner-only (0600) when restricted without an admin group, and opens to 0666', async () => {
    await listener.restrict();
    expect(mode(), 'no group was set, so no group may connect').to.equal(0o600);
    await listener.open();
    expect(mode()).to.equal(0o666);
  });

  it('gives the socket to the admin group when restricting', async function () {
    if (process.getuid?.() !== 0) {
      console.log('      skipped: chown to another group needs root');
      this.skip();
    }
    await listener.close();
    listener = new UnixSocketListener(path, { name: 'nogroup', gid: 65534 }, new NullLogger());
    await listener.listen(createServer());
    await listener.restrict();
    expect(mode()).to.equal(0o660);
    expect(statSync(path).gid).to.equal(65534);
    expect(statSync(path).uid).to.equal(0);
  });

  /** A second listener at `socketPath`, closed again whatever happens (it should never listen). */
  async function listenElsewhere(socketPath: string): Promise<void> {
    const other = new UnixSocketListener(socketPath, undefined, new NullLogger());
    try {
      await other.listen(createServer());
    } finally {
      await other.close();
    }
  }

  it('removes its socket file when closed', async () => {
    await listener.close();
    expect(() => statSync(path)).to.throw();
  });

  describe('when giving the socket to the admin group', () => {
    const admins = { name: 'admins', gid: 4242 };
    const relisten = async (changeOwner: ChangeOwner) => {
      await listener.close();
      listener = new UnixSocketListener(path, admins, new NullLogger(), changeOwner);
      await listener.listen(createServer());
    };

    it('stays owner-only (0600) when the chown fails, as it does for a daemon not run by root', async () => {
      await relisten(async () => {
        throw Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' });
      });
      await listener.restrict();
      expect(mode(), 'the socket is not the admin group\'s, so no group may connect').to.equal(0o600);
    });

    it('becomes 0660 once the chown to the admin group succeeded', async () => {
      const calls: [string, number, number][] = [];
      await relisten(async (target, uid, gid) => void calls.push([target, uid, gid]));
      await listener.restrict();
      expect(calls).to.deep.equal([[path, process.getuid?.() ?? -1, admins.gid]]);
      expect(mode()).to.equal(0o660);
    });
  });

  describe('with a symbolic link planted', () => {
    let elsewhere: string;
    beforeEach(() => {
      elsewhere = join(temp.path, 'elsewhere');
      mkdirSync(elsewhere);
    });

    it('refuses to restrict or open when the socket path was swapped for a link, and changes nothing through it', async () => {
      const bait = baitFile(elsewhere);
      unlinkSync(path);
      bait.plantAt(path);
      for (const change of [() => listener.restrict(), () => listener.open()]) {
        const error = await rejectionOf(change());
        expect(error).to.be.instanceOf(UnsafePathError);
        expect((error as Error).message).to.contain(`'${path}'`).and.contain('no longer the socket');
      }
      bait.expectUntouched();
    });

    it('refuses to listen when a link is at the socket path, and leaves the link and its target alone', async () => {
      await listener.close();
      const bait = baitFile(elsewhere);
      bait.plantAt(path);
      listener = new UnixSocketListener(path, undefined, new NullLogger());
      const error = await rejectionOf(listener.listen(createServer()));
      expect(error).to.be.instanceOf(UnsafePathError);
      expect((error as Error).message).to.contain(`'${path}'`).and.contain('symbolic link');
      expect(lstatSync(path).isSymbolicLink()).to.equal(true);
      bait.expectUntouched();
    });

    it("refuses to listen when the socket's directory is a link", async () => {
      const bait = baitDir(elsewhere);
      const dir = join(temp.path, 'run');
      bait.plantAt(dir);
      const error = await rejectionOf(listenElsewhere(join(dir, 'sock')));
      expect(error).to.be.instanceOf(UnsafePathError);
      expect((error as UnsafePathError).path).to.equal(dir);
      bait.expectUntouched();
    });
  });

  it("refuses to listen in a directory other users can write, naming it and the fix", async () => {
    const dir = join(temp.path, 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o1777);
    const error = await rejectionOf(listenElsewhere(join(dir, 'sock')));
    expect(error).to.be.instanceOf(UnsafePathError);
    expect((error as Error).message).to.contain(`the socket's directory '${dir}'`).and.contain(`chmod go-w '${dir}'`);
    expect((error as Error).message).to.contain('--address');
    expect(existsSync(join(dir, 'sock'))).to.equal(false);
  });
});
