import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ClientSetupFailure,
  connectToDaemon,
  resolveClientTarget,
  socketPathOf,
  type ClientCredentials,
  type DaemonLocation,
} from '../../../src/adapters/cli/client-options.js';
import { RpcFailure } from '../../../src/adapters/rpc/multipass-client.js';
import { FakeMultipassClient } from '../../support/fakes/fake-multipass-client.js';
import { makeTempDir } from '../../support/temp-dir.js';

const DEFAULTS: DaemonLocation = { address: 'unix:/run/multipass_socket', rootCertPath: '/var/lib/multipassd/certificate/root.pem' };

describe('resolveClientTarget', () => {
  const neverAsked = (): DaemonLocation => {
    throw new Error('the defaults were looked up although the environment gave everything');
  };

  it('uses the defaults when the environment says nothing', () => {
    expect(resolveClientTarget({}, () => DEFAULTS, '/home/u/id')).to.deep.equal({ ...DEFAULTS, identityDir: '/home/u/id' });
  });

  it('takes MULTIPASS_SERVER_ADDRESS and MULTIPASS_ROOT_CERT over the defaults, without looking them up', () => {
    const vars = { MULTIPASS_SERVER_ADDRESS: 'localhost:50051', MULTIPASS_ROOT_CERT: '/tmp/root.pem' };
    expect(resolveClientTarget(vars, neverAsked, '/id')).to.deep.equal({
      address: 'localhost:50051',
      rootCertPath: '/tmp/root.pem',
      identityDir: '/id',
    });
  });

  it('takes a MULTIPASS_SERVER_ADDRESS that is a bare path for a Unix socket, not a host name', () => {
    expect(resolveClientTarget({ MULTIPASS_SERVER_ADDRESS: '/some/path' }, () => DEFAULTS, '/id')).to.deep.equal({
      address: 'unix:/some/path',
      rootCertPath: DEFAULTS.rootCertPath,
      identityDir: '/id',
    });
    expect(resolveClientTarget({ MULTIPASS_SERVER_ADDRESS: 'localhost:50051' }, () => DEFAULTS, '/id').address).to.equal(
      'localhost:50051',
    );
  });

  it('mixes one variable with the other default, and ignores empty variables', () => {
    expect(resolveClientTarget({ MULTIPASS_SERVER_ADDRESS: 'unix:/tmp/s', MULTIPASS_ROOT_CERT: '' }, () => DEFAULTS, '/id')).to.deep.equal({
      address: 'unix:/tmp/s',
      rootCertPath: DEFAULTS.rootCertPath,
      identityDir: '/id',
    });
  });
});

describe('connectToDaemon', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  it('hands the root CA, the identity and the address to the client factory', async () => {
    const rootCertPath = join(temp.path, 'root.pem');
    writeFileSync(rootCertPath, 'ROOT PEM');
    const client = new FakeMultipassClient();
    const given: ClientCredentials[] = [];
    const connected = await connectToDaemon(
      { address: 'unix:/tmp/s', rootCertPath, identityDir: join(temp.path, 'id') },
      async (credentials) => {
        given.push(credentials);
        return client;
      },
      async (dir) => ({ certPem: `cert in ${dir}`, keyPem: 'key' }),
      () => undefined,
    );
    expect(connected).to.equal(client);
    expect(given).to.deep.equal([
      { address: 'unix:/tmp/s', rootCertPem: 'ROOT PEM', clientCertPem: `cert in ${join(temp.path, 'id')}`, clientKeyPem: 'key' },
    ]);
  });

  it('reports "cannot connect" when neither the socket nor the root certificate exists (no daemon ever ran)', async () => {
    const failure = await connectToDaemon(
      { address: `unix:${temp.path}/no-socket`, rootCertPath: join(temp.path, 'missing.pem'), identityDir: temp.path },
      async () => new FakeMultipassClient(),
      async () => ({ certPem: '', keyPem: '' }),
      () => undefined,
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).to.be.instanceOf(RpcFailure);
    expect(failure).to.include({ status: 'UNAVAILABLE', connection: 'cannot-connect' });
  });

  it('fails with the root certificate path, keeping the cause, when it cannot be read', async () => {
    const rootCertPath = join(temp.path, 'missing.pem');
    const socket = join(temp.path, 'sock');
    writeFileSync(socket, '');
    const failure = await connectToDaemon(
      { address: `unix:${socket}`, rootCertPath, identityDir: temp.path },
      async () => new FakeMultipassClient(),
      async () => ({ certPem: '', keyPem: '' }),
      () => undefined,
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).to.be.instanceOf(ClientSetupFailure);
    expect(failure).to.include({ problem: 'root-cert-unreadable', path: rootCertPath });
    expect((failure as ClientSetupFailure).cause).to.have.property('code', 'ENOENT');
  });
});

describe('socketPathOf', () => {
  for (const [address, shown] of [
    ['unix:/run/multipass_socket', '/run/multipass_socket'],
    ['unix:///run/multipass_socket', '/run/multipass_socket'],
    ['localhost:50051', 'localhost:50051'],
  ] as const) {
    it(`shows ${address} as ${shown}`, () => expect(socketPathOf(address)).to.equal(shown));
  }
});
