import { expect } from 'chai';
import { chmodSync, writeFileSync } from 'node:fs';
import { RpcFailure, type RpcStatusName } from '../../../src/adapters/rpc/multipass-client.js';
import { CliHarness } from './cli-harness.js';

const STATUSES: readonly RpcStatusName[] = [
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

const NOT_AUTHENTICATED =
  "list failed: The client is not authenticated with the Multipass service.\nPlease use 'multipass authenticate' before proceeding.\n";

describe('multipass failure reports', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('tells an untrusted client of list, or ls, to authenticate (exit 2)', async () => {
    cli.client.failWith(new RpcFailure('UNAUTHENTICATED', 'whatever the daemon says'));
    expect(await cli.run('list')).to.deep.equal({ code: 2, stdout: '', stderr: NOT_AUTHENTICATED });
    expect(await cli.run('ls')).to.deep.equal({ code: 2, stdout: '', stderr: NOT_AUTHENTICATED });
  });

  it('names the socket when access to it is denied (exit 3)', async () => {
    cli.client.failWith(new RpcFailure('UNAVAILABLE', 'connect EACCES', 'access-denied'));
    expect(await cli.run('list')).to.deep.equal({
      code: 3,
      stdout: '',
      stderr: `list failed: multipass socket access denied\nPlease check that you have read/write permissions to '${cli.socketPath}'\n`,
    });
  });

  it('names the socket when no daemon listens there (exit 3)', async () => {
    cli.client.failWith(new RpcFailure('UNAVAILABLE', 'connect ENOENT', 'cannot-connect'));
    expect(await cli.run('get', 'local.passphrase')).to.deep.equal({
      code: 3,
      stdout: '',
      stderr: `get failed: cannot connect to the multipass socket\nPlease ensure multipassd is running and '${cli.socketPath}' is accessible\n`,
    });
  });

  it('prints a unix:/// address as a plain path and a TCP address as host:port', async () => {
    cli.client.failWith(new RpcFailure('UNAVAILABLE', 'connect ECONNREFUSED', 'cannot-connect'));
    cli.vars.MULTIPASS_SERVER_ADDRESS = `unix://${cli.socketPath}`;
    expect((await cli.run('list')).stderr).to.contain(`and '${cli.socketPath}' is accessible\n`);
    cli.vars.MULTIPASS_SERVER_ADDRESS = 'localhost:50051';
    expect((await cli.run('list')).stderr).to.contain("and 'localhost:50051' is accessible\n");
  });

  it('takes a bare path in MULTIPASS_SERVER_ADDRESS for the socket, and names it in messages', async () => {
    cli.vars.MULTIPASS_SERVER_ADDRESS = cli.socketPath;
    cli.client.failWith(new RpcFailure('UNAVAILABLE', 'connect ENOENT', 'cannot-connect'));
    expect((await cli.run('list')).stderr).to.contain(`and '${cli.socketPath}' is accessible\n`);
    expect(cli.connections.map((c) => c.address)).to.deep.equal([`unix:${cli.socketPath}`]);
  });

  for (const status of STATUSES) {
    const expected = status === 'UNAVAILABLE' ? 3 : 2;
    it(`exits ${expected} when the daemon answers ${status}, by Multipass's rule`, async () => {
      cli.client.failWith(new RpcFailure(status, 'details'));
      expect((await cli.run('list')).code).to.equal(expected);
    });
  }

  it('counts any other unavailable daemon as a daemon failure (exit 3)', async () => {
    cli.client.failWith(new RpcFailure('UNAVAILABLE', 'Connection dropped'));
    expect(await cli.run('list')).to.deep.equal({ code: 3, stdout: '', stderr: 'list failed: Connection dropped\n' });
  });

  it('reports any other refusal with the daemon details (exit 2)', async () => {
    cli.client.failWith(new RpcFailure('INTERNAL', 'internal error; see the multipassd log'));
    expect(await cli.run('list')).to.deep.equal({
      code: 2,
      stdout: '',
      stderr: 'list failed: internal error; see the multipassd log\n',
    });
  });

  it('reports an unreadable root certificate with a hint, before making an identity (exit 3)', async () => {
    const missing = `${cli.tempPath}/no-such-root.pem`;
    cli.vars.MULTIPASS_ROOT_CERT = missing;
    writeFileSync(cli.socketPath, ''); // a daemon's socket is there: only the CA is missing
    expect(await cli.run('list')).to.deep.equal({
      code: 3,
      stdout: '',
      stderr:
        `list failed: cannot read the daemon's root certificate '${missing}'\n` +
        'Please ensure multipassd has started at least once, or set MULTIPASS_ROOT_CERT to its root certificate\n',
    });
    expect(cli.identityDirs).to.deep.equal([]);
    expect(cli.connections).to.deep.equal([]);
  });

  it('reports a root certificate it may not read the same way', async function () {
    if (process.getuid?.() === 0) this.skip(); // root reads anything
    chmodSync(cli.rootCertPath, 0o000);
    const result = await cli.run('auth', 'foo');
    expect(result.code).to.equal(3);
    expect(result.stderr).to.match(/^authenticate failed: cannot read the daemon's root certificate '/);
  });

  it('reports a client identity that cannot be made as a failed command (exit 2)', async () => {
    cli.identityError = new Error("EACCES: permission denied, mkdir '/nope'");
    expect(await cli.run('list')).to.deep.equal({
      code: 2,
      stdout: '',
      stderr:
        `list failed: cannot set up the client certificate in '${cli.vars.HOME}/.local/share/multipass-client-certificate': ` +
        "EACCES: permission denied, mkdir '/nope'\n",
    });
    expect(cli.connections).to.deep.equal([]);
  });

  it('closes the client after a failed call', async () => {
    cli.client.failWith(new RpcFailure('UNAUTHENTICATED', 'no'));
    await cli.run('list');
    expect(cli.client.closed).to.equal(true);
  });
});
