import { status, type Client } from '@grpc/grpc-js';
import { expect } from 'chai';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wirePing, wireStream } from '../support/grpc-wire-client.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';
import { PASSPHRASE_SET_MARKER } from '../../src/domain/daemon-settings.js';

/**
 * The multipass.Rpc wire contract, driven by a plain grpc-js client built from the .proto:
 * status codes per method for trusted, untrusted and anonymous callers.
 */
describe('multipass.Rpc over the wire', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;
  let rootCert: string;
  const clients: Client[] = [];

  const connectAs = async (identity: 'anonymous' | 'new') => {
    const cert = identity === 'new' ? await makeTestCertificate() : undefined;
    const client = wireClient(daemon.address, rootCert, cert === undefined ? {} : { certPem: cert.pem, keyPem: cert.keyPem });
    clients.push(client);
    return client;
  };
  const socketMode = () => statSync(daemon.address.slice('unix:'.length)).mode & 0o777;

  beforeEach(async () => {
    temp = makeTempDir();
    daemon = await startDaemonProcess({ dataDir: temp.path, args: ['--address', `unix:${temp.path}/multipass_socket`] });
    rootCert = readFileSync(daemon.rootCertPath, 'utf8');
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await daemon.stop();
    temp.remove();
  });

  it('refuses every trust-requiring method to a client without a certificate with UNAUTHENTICATED', async () => {
    const anonymous = await connectAs('anonymous');
    expect((await wirePing(anonymous)).code).to.equal(status.UNAUTHENTICATED);
    for (const method of ['version', 'list', 'get', 'set', 'keys']) {
      const outcome = await wireStream(anonymous, method, { key: 'local.passphrase', val: 'x' });
      expect(outcome.code, method).to.equal(status.UNAUTHENTICATED);
    }
    expect((await wireStream(anonymous, 'authenticate', { passphrase: 'x' })).code).to.equal(status.UNAUTHENTICATED);
    expect(socketMode(), 'an anonymous caller must not open the socket').to.equal(0o660);
  });

  it('trusts the first client on the restricted socket at its first call other than ping, then opens the socket', async () => {
    expect(socketMode()).to.equal(0o660);
    const admin = await connectAs('new');
    const refused = await wirePing(admin);
    expect(refused.code, 'ping only verifies, as in Multipass').to.equal(status.UNAUTHENTICATED);
    expect(refused.details).to.equal(
      "The client is not authenticated with the Multipass service.\nPlease use 'multipass authenticate' before proceeding.",
    );
    expect(socketMode()).to.equal(0o660);
    const version = await wireStream(admin, 'version', { verbosity_level: 0 });
    expect(version.code).to.equal(status.OK);
    expect(version.replies[0]?.version).to.match(/^\d+\.\d+\.\d+/);
    expect(socketMode()).to.equal(0o666);
    expect((await wirePing(admin)).code).to.equal(status.OK);
  });

  it('answers each method with Multipass status codes for untrusted and trusted callers', async () => {
    const admin = await connectAs('new');
    const user = await connectAs('new');
    expect((await wireStream(admin, 'version', {})).code).to.equal(status.OK);

    for (const method of ['version', 'list', 'get', 'set', 'keys']) {
      expect((await wireStream(user, method, { key: 'local.passphrase', val: 'x' })).code, method).to.equal(
        status.UNAUTHENTICATED,
      );
    }
    expect((await wirePing(user)).code).to.equal(status.UNAUTHENTICATED);

    const unset = await wireStream(user, 'authenticate', { passphrase: 'foo' });
    expect(unset.code).to.equal(status.FAILED_PRECONDITION);
    expect(unset.details).to.equal('Passphrase is not set. Please `multipass set local.passphrase` with a trusted client.');

    expect((await wireStream(admin, 'get', { key: 'local.passphrase' })).replies[0]?.value).to.equal('');
    expect((await wireStream(admin, 'set', { key: 'local.passphrase', val: 'foo' })).code).to.equal(status.OK);
    expect((await wireStream(admin, 'get', { key: 'local.passphrase' })).replies[0]?.value).to.equal(PASSPHRASE_SET_MARKER);
    expect((await wireStream(admin, 'get', { key: 'no.such.key' })).code).to.equal(status.INVALID_ARGUMENT);

    const wrong = await wireStream(user, 'authenticate', { passphrase: 'bar' });
    expect(wrong.code).to.equal(status.INVALID_ARGUMENT);
    expect(wrong.details).to.equal('Passphrase is not correct. Please try again.');
    expect((await wireStream(user, 'list', {})).code).to.equal(status.UNAUTHENTICATED);

    expect((await wireStream(user, 'authenticate', { passphrase: 'foo' })).code).to.equal(status.OK);
    const list = await wireStream(user, 'list', { verbosity_level: 0 });
    expect(list.code).to.equal(status.OK);
    expect(list.replies[0]?.instance_list).to.deep.equal({ instances: [] });
    expect((await wirePing(user)).code).to.equal(status.OK);
  });

  it('answers get local.passphrase with an empty value while unset and a fixed marker once set, never the hash', async () => {
    const admin = await connectAs('new');
    await wireStream(admin, 'version', {});
    expect((await wireStream(admin, 'get', { key: 'local.passphrase' })).replies).to.deep.equal([{ value: '', log_line: '' }]);
    await wireStream(admin, 'set', { key: 'local.passphrase', val: 'correct horse' });
    const got = await wireStream(admin, 'get', { key: 'local.passphrase', verbosity_level: 4 });
    expect(JSON.stringify(got)).not.to.contain('correct horse');
    expect(JSON.stringify(got)).not.to.contain('scrypt');
    expect(got.replies.at(-1)).to.deep.equal({ value: PASSPHRASE_SET_MARKER, log_line: '' });
    expect(PASSPHRASE_SET_MARKER).not.to.equal('');
  });

  it('serves keys: the settings keys the daemon answers for, to a trusted caller', async () => {
    const admin = await connectAs('new');
    await wireStream(admin, 'version', {});
    const keys = await wireStream(admin, 'keys', { verbosity_level: 0 });
    expect(keys).to.deep.equal({ code: status.OK, details: 'OK', replies: [{ log_line: '', settings_keys: ['local.passphrase'] }] });
  });

  it('answers list --snapshots with the snapshot reply shape', async () => {
    const admin = await connectAs('new');
    await wireStream(admin, 'version', {});
    const listed = await wireStream(admin, 'list', { snapshots: true, request_ipv4: false });
    expect(listed.code).to.equal(status.OK);
    expect(listed.replies).to.have.length(1);
    expect(listed.replies[0]).to.include({ list_contents: 'snapshot_list' });
    expect(listed.replies[0]?.snapshot_list).to.deep.equal({ snapshots: [] });
    expect((await wireStream(admin, 'list', {})).replies[0]).to.include({ list_contents: 'instance_list' });
  });

  it('streams its log lines before the final reply at verbosity 3 and more, and none below', async () => {
    const admin = await connectAs('new');
    await wireStream(admin, 'version', {});
    for (const [method, request] of [
      ['version', {}],
      ['list', {}],
      ['get', { key: 'local.passphrase' }],
      ['keys', {}],
    ] as const) {
      const quiet = await wireStream(admin, method, { ...request, verbosity_level: 2 });
      expect(quiet.replies.map((reply) => reply.log_line), method).to.deep.equal(['']);
      for (const verbosity_level of [3, 4]) {
        const loud = await wireStream(admin, method, { ...request, verbosity_level });
        expect(loud.code, method).to.equal(status.OK);
        const lines = loud.replies.slice(0, -1).map((reply) => reply.log_line);
        expect(lines, method).to.have.length.greaterThan(0);
        for (const line of lines) expect(line).to.match(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] \[debug\] \[rpc\] .+\n$/);
        expect(loud.replies.at(-1)?.log_line, `${method}: the final reply is the answer`).to.equal('');
      }
    }
  });

  it('serves a stream that ends without a request with a default request, as Multipass does', async () => {
    const admin = await connectAs('new');
    await wireStream(admin, 'version', {});
    const version = await wireStream(admin, 'version', undefined);
    expect(version.code).to.equal(status.OK);
    expect(version.replies[0]?.version).to.match(/^\d+\.\d+\.\d+/);
    const listed = await wireStream(admin, 'list', undefined);
    expect(listed.code).to.equal(status.OK);
    expect(listed.replies[0]).to.include({ list_contents: 'instance_list' });
    const got = await wireStream(admin, 'get', undefined);
    expect(got).to.include({ code: status.INVALID_ARGUMENT, details: "Unrecognized settings key: ''" });
    const anonymous = await connectAs('anonymous');
    expect((await wireStream(anonymous, 'version', undefined)).code).to.equal(status.UNAUTHENTICATED);
  });

  it('never sends a server path to a client, even when the trust store cannot be written', async () => {
    const admin = await connectAs('new');
    await wireStream(admin, 'version', {});
    expect((await wireStream(admin, 'set', { key: 'local.passphrase', val: 'pw' })).code).to.equal(status.OK);
    // The certificates file becomes a directory: the next enrolment cannot be stored.
    const store = join(temp.path, 'authenticated-certs', 'multipass_client_certs.pem');
    rmSync(store);
    mkdirSync(store);

    const refused = await wireStream(await connectAs('new'), 'authenticate', { passphrase: 'pw' });

    expect(refused.code).to.equal(status.INTERNAL);
    expect(refused.details).to.equal('internal error; see the multipassd log');
    expect(refused.details).not.to.contain(temp.path);
    expect(daemon.stderr(), 'the admin still gets the whole story').to.contain(store);
  });

  it('drops a plaintext client without harming the daemon', async () => {
    const path = daemon.address.slice('unix:'.length);
    await new Promise<void>((resolve) => {
      const socket = connect(path, () => socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nnot tls at all\n'));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    const admin = await connectAs('new');
    expect((await wireStream(admin, 'version', {})).code).to.equal(status.OK);
    expect(daemon.child.exitCode).to.equal(null);
  });
});
