import { expect } from 'chai';
import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { UnixSocketListener } from '../../src/adapters/transports/unix-socket-listener.js';
import { NullLogger } from '../support/fakes/null-logger.js';
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

  it('removes its socket file when closed', async () => {
    await listener.close();
    expect(() => statSync(path)).to.throw();
  });
});
