import { Server, ServerCredentials, status, type ServerDuplexStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { expect } from 'chai';
import { constants, createSecureServer, type Http2SecureServer, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { ensureDaemonIdentity, identityPathsIn, type DaemonIdentity } from '../../../src/adapters/crypto/daemon-identity.js';
import { createEcCertificate } from '../../../src/adapters/crypto/x509-keys.js';
import { checkServerName, connectTarget } from '../../../src/adapters/rpc/grpc-channel.js';
import { frame, MAX_MESSAGE_BYTES, MessageFramer } from '../../../src/adapters/rpc/grpc-framing.js';
import { statusOfTrailers } from '../../../src/adapters/rpc/grpc-status.js';
import { createGrpcClient } from '../../../src/adapters/rpc/grpc-multipass-client.js';
import { RpcFailure, type MultipassClient } from '../../../src/adapters/rpc/multipass-client.js';
import { MULTIPASS_WIRE } from '../../../src/adapters/rpc/multipass-wire-schema.js';
import { multipassRpcDefinition } from '../../support/grpc-js-definitions.js';
import { CLIENT_WIRE } from '../../../src/adapters/rpc/multipassd-wire-schema.js';
import { WireClient } from '../../../src/adapters/rpc/wire-client.js';
import { WireCodec } from '../../../src/adapters/rpc/wire-codec.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { makeTestCertificate, type TestCertificate } from '../../support/test-certificates.js';

const codec = new WireCodec(MULTIPASS_WIRE);

describe('gRPC framing and status', () => {
  it('splits messages however the bytes arrive: across chunks, several in one, empty ones', () => {
    const framer = new MessageFramer();
    const bytes = Buffer.concat([frame(Buffer.from('first')), frame(Buffer.alloc(0)), frame(Buffer.from('third'))]);
    const messages = [...bytes].flatMap((byte) => framer.push(Buffer.from([byte])));
    expect(messages.map(String)).to.deep.equal(['first', '', 'third']);
    expect(framer.partial).to.equal(false);
    expect(new MessageFramer().push(bytes).map(String)).to.deep.equal(['first', '', 'third']);
    const cut = new MessageFramer();
    expect(cut.push(bytes.subarray(0, 8))).to.deep.equal([]);
    expect(cut.partial).to.equal(true);
  });

  it('refuses a compressed message (none was offered) and one over the size limit', () => {
    expect(() => new MessageFramer().push(Buffer.from([1, 0, 0, 0, 1, 7]))).to.throw(/compressed/);
    const header = Buffer.alloc(5);
    header.writeUInt32BE(MAX_MESSAGE_BYTES + 1, 1);
    expect(() => new MessageFramer().push(header)).to.throw(RangeError, /larger than max/);
  });

  it('reads the status and its percent-encoded message, keeping a malformed one as it came', () => {
    expect(statusOfTrailers({ 'grpc-status': '16', 'grpc-message': encodeURI('not trusted\nPlease: é') })).to.deep.equal({
      code: 16,
      details: 'not trusted\nPlease: é',
    });
    expect(statusOfTrailers({ 'grpc-status': '13', 'grpc-message': 'bad %E0%A4%A' })).to.deep.equal({ code: 13, details: 'bad %E0%A4%A' });
    expect(statusOfTrailers({ 'grpc-status': '0' })).to.deep.equal({ code: 0, details: '' });
    expect(statusOfTrailers({ 'content-type': 'application/grpc' })).to.equal(undefined);
  });

  it("checks the daemon's certificate is for localhost: a DNS name, or the common name when there is none", () => {
    const named = (fields: Partial<PeerCertificate>) => checkServerName('127.0.0.1', fields as PeerCertificate);
    expect(named({ subjectaltname: 'DNS:localhost, IP Address:127.0.0.1' })).to.equal(undefined);
    expect(named({ subjectaltname: 'DNS:LocalHost' })).to.equal(undefined);
    expect(named({ subject: { CN: 'localhost' } as PeerCertificate['subject'] })).to.equal(undefined);
    expect(named({ subjectaltname: 'DNS:elsewhere' })).to.be.instanceOf(Error).and.to.include({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(named({ subjectaltname: 'DNS:elsewhere', subject: { CN: 'localhost' } as PeerCertificate['subject'] })).to.be.instanceOf(Error);
    expect(named({ subjectaltname: 'IP Address:127.0.0.1', subject: { CN: 'elsewhere' } as PeerCertificate['subject'] })).to.be.instanceOf(Error);
  });

  it('connects to a Unix socket for unix: addresses and to a host and port otherwise', () => {
    expect(connectTarget('unix:/run/multipass_socket')).to.deep.equal({ path: '/run/multipass_socket' });
    expect(connectTarget('unix:///run/multipass_socket')).to.deep.equal({ path: '/run/multipass_socket' });
    expect(connectTarget('127.0.0.1:50051')).to.deep.equal({ host: '127.0.0.1', port: 50051 });
    expect(connectTarget('[::1]:50051')).to.deep.equal({ host: '::1', port: 50051 });
    expect(connectTarget('localhost')).to.deep.equal({ host: 'localhost', port: 443 });
  });
});

/**
 * The CLI's client against a grpc-js server built from the same service definition (what the
 * daemon runs), and against a bare HTTP/2 server for what a server can do wrong.
 */
describe('the CLI gRPC client', function () {
  this.timeout(20000);
  let temp: ReturnType<typeof makeTempDir>;
  let identity: DaemonIdentity;
  let client: TestCertificate;
  let logLines: string[];
  const servers: Array<() => Promise<void>> = [];
  const clients: MultipassClient[] = [];

  before(async () => {
    client = await makeTestCertificate();
  });

  beforeEach(async () => {
    temp = makeTempDir();
    identity = await ensureDaemonIdentity(join(temp.path, 'certificate'));
    logLines = [];
  });

  afterEach(async () => {
    for (const opened of clients.splice(0)) opened.close();
    for (const stop of servers.splice(0)) await stop();
    temp.remove();
  });

  const connect = async (address: string, rootCertPem = identity.rootCertPem): Promise<MultipassClient> => {
    const opened = await createGrpcClient(
      { address, rootCertPem, clientCertPem: client.pem, clientKeyPem: client.keyPem },
      (line) => logLines.push(line),
    );
    clients.push(opened);
    return opened;
  };

  const grpcServer = async (
    implementation: UntypedServiceImplementation,
    served = { certPem: identity.serverCertPem, keyPem: identity.serverKeyPem },
  ): Promise<string> => {
    const server = new Server();
    server.addService(multipassRpcDefinition(), implementation);
    const address = `unix:${join(temp.path, `grpc-${servers.length}.sock`)}`;
    const credentials = ServerCredentials.createSsl(
      Buffer.from(identity.rootCertPem),
      [{ cert_chain: Buffer.from(served.certPem), private_key: Buffer.from(served.keyPem) }],
      false,
    );
    await new Promise<void>((resolve, reject) => server.bindAsync(address, credentials, (error) => (error ? reject(error) : resolve())));
    servers.push(() => new Promise((resolve) => server.tryShutdown(() => resolve())));
    return address;
  };

  /** A TLS HTTP/2 server that answers every stream with `answer`. */
  const http2Server = async (answer: (stream: ServerHttp2Stream) => void, onSession = () => undefined as unknown): Promise<string> => {
    const server: Http2SecureServer = createSecureServer({ key: identity.serverKeyPem, cert: identity.serverCertPem });
    const sessions: ServerHttp2Session[] = [];
    server.on('session', (session) => {
      sessions.push(session);
      onSession();
    });
    server.on('stream', (stream) => {
      stream.on('error', () => undefined);
      stream.resume();
      answer(stream);
    });
    const path = join(temp.path, `h2-${servers.length}-${Date.now()}.sock`);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    servers.push(() => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.destroy();
      return closed;
    });
    return `unix:${path}`;
  };

  const streaming =
    (replies: object[], end: { code: status; details?: string } = { code: status.OK }) =>
    (call: ServerDuplexStream<object, object>) => {
      call.once('data', () => {
        for (const reply of replies) call.write(reply);
        if (end.code === status.OK) call.end();
        else call.emit('error', { code: end.code, details: end.details ?? '' });
      });
    };

  it('passes on every log line as it comes and answers from the last reply', async () => {
    const address = await grpcServer({
      version: streaming([{ log_line: 'first line' }, { log_line: 'second line' }, { version: '1.16.0' }]),
      list: streaming([
        {
          instance_list: {
            instances: [{ name: 'primary', instance_status: { status: 'RUNNING' }, ipv4: ['10.0.0.2'], current_release: '24.04 LTS' }],
          },
        },
      ]),
      ping: (_call: unknown, callback: (error: null, reply: object) => void) => callback(null, {}),
    });
    const multipass = await connect(address);
    expect(await multipass.version(1)).to.deep.equal({
      version: '1.16.0',
      updateInfo: { version: '', url: '', title: '', description: '' },
    });
    expect(logLines).to.deep.equal(['first line', 'second line']);
    expect(await multipass.list({ snapshots: false, requestIpv4: true }, 0)).to.deep.equal({
      kind: 'instances',
      instances: [{ name: 'primary', state: 'RUNNING', ipv4: ['10.0.0.2'], release: '24.04 LTS' }],
    });
    await multipass.ping();
  });

  it("reports the server's status and message, decoded, after the replies it sent", async () => {
    const details = "The client is not authenticated with the Multipass service.\nPlease use 'multipass authenticate' before proceeding.";
    const address = await grpcServer({ get: streaming([{ log_line: 'looking' }], { code: status.UNAUTHENTICATED, details }) });
    const failure = await rejectionOf(connect(address).then((multipass) => multipass.get('local.passphrase', 0)));
    expect(failure).to.be.instanceOf(RpcFailure).and.to.include({ status: 'UNAUTHENTICATED', details, connection: undefined });
    expect(logLines).to.deep.equal(['looking']);
  });

  it('reads a status sent with the headers (trailers-only), as servers answer an error before any reply', async () => {
    const address = await http2Server((stream) =>
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '9', 'grpc-message': 'Passphrase%20is%20not%20set' }, { endStream: true }),
    );
    const failure = await rejectionOf(connect(address).then((multipass) => multipass.authenticate('x', 0)));
    expect(failure).to.include({ status: 'FAILED_PRECONDITION', details: 'Passphrase is not set' });
  });

  it('says what grpc-js says of a server that is not gRPC, resets the call, or ends without a status', async () => {
    const cases: Array<[(stream: ServerHttp2Stream) => void, string, string]> = [
      [(stream) => stream.respond({ ':status': 404 }, { endStream: true }), 'UNIMPLEMENTED', 'Received HTTP status code 404'],
      [(stream) => stream.close(constants.NGHTTP2_REFUSED_STREAM), 'UNAVAILABLE', 'Stream refused by server'],
      [
        (stream) => {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
          stream.end(frame(codec.encode('multipass.VersionReply', { version: '1' })));
        },
        'INTERNAL',
        'Received RST_STREAM with code 0 (Call ended without gRPC status)',
      ],
    ];
    for (const [answer, name, details] of cases) {
      const address = await http2Server(answer);
      const failure = await rejectionOf(connect(address).then((multipass) => multipass.version(0)));
      expect(failure, details).to.include({ status: name, details });
      await servers.pop()!();
    }
  });

  it('refuses a reply it cannot decode, and one over the size limit', async () => {
    const replying = (body: Buffer) => (stream: ServerHttp2Stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(body);
    };
    const garbage = await http2Server(replying(frame(Buffer.from([0x0a, 0x7f]))));
    expect(await rejectionOf(connect(garbage).then((multipass) => multipass.version(0)))).to.include({
      status: 'INTERNAL',
      details: 'Response message parsing error',
    });
    await servers.pop()!();
    const header = Buffer.alloc(5);
    header.writeUInt32BE(MAX_MESSAGE_BYTES + 1, 1);
    const huge = await http2Server(replying(header));
    expect(await rejectionOf(connect(huge).then((multipass) => multipass.version(0)))).to.include({ status: 'RESOURCE_EXHAUSTED' });
  });

  it('tells a missing daemon from one whose certificate does not chain to the root CA it was given', async () => {
    const missing = await rejectionOf(connect(`unix:${join(temp.path, 'nobody-here')}`).then((multipass) => multipass.ping()));
    expect(missing).to.include({ status: 'UNAVAILABLE', connection: 'cannot-connect' });
    expect((missing as RpcFailure).details).to.match(/^No connection established\. Last error: .*ENOENT/);

    const ping = { ping: (_call: unknown, callback: (error: null, reply: object) => void) => callback(null, {}) };
    const address = await grpcServer(ping);
    const otherCa = (await makeTestCertificate('not the daemon CA')).pem;
    const untrusted = await rejectionOf(connect(address, otherCa).then((multipass) => multipass.ping()));
    expect(untrusted).to.include({ status: 'UNAVAILABLE', connection: 'untrusted-daemon' });
  });

  it('refuses a certificate from the right CA that is not for localhost', async () => {
    const rootKeyPem = readFileSync(identityPathsIn(join(temp.path, 'certificate')).rootKey, 'utf8');
    const elsewhere = await createEcCertificate({
      profile: 'server',
      subject: 'CN=elsewhere',
      dnsNames: ['elsewhere'],
      notBefore: new Date(Date.now() - 60000),
      notAfter: new Date(Date.now() + 86400000),
      issuer: { certPem: identity.rootCertPem, keyPem: rootKeyPem },
    });
    const ping = { ping: (_call: unknown, callback: (error: null, reply: object) => void) => callback(null, {}) };
    const address = await grpcServer(ping, elsewhere);
    const refused = await rejectionOf(connect(address).then((multipass) => multipass.ping()));
    expect(refused).to.include({ status: 'UNAVAILABLE', connection: 'untrusted-daemon' });
    expect((refused as RpcFailure).details).to.contain("does not match certificate's altnames");
    const trusted = await grpcServer(ping);
    await (await connect(trusted)).ping();
  });

  it('makes one connection for the calls of a command', async () => {
    let sessions = 0;
    const address = await http2Server((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(frame(codec.encode('multipass.KeysReply', { settings_keys: ['local.passphrase'] })));
    }, () => (sessions += 1));
    const multipass = await connect(address);
    expect(await multipass.keys(0)).to.deep.equal(['local.passphrase']);
    expect(await multipass.keys(0)).to.deep.equal(['local.passphrase']);
    expect(sessions).to.equal(1);
  });

  it("ends a call at its deadline (multipassd's own services set one), against a server that never answers", async () => {
    const address = await http2Server(() => undefined);
    const credentials = { address, rootCertPem: identity.rootCertPem, clientCertPem: client.pem, clientKeyPem: client.keyPem };
    const wedged = new WireClient(CLIENT_WIRE, credentials, 300);
    try {
      const started = Date.now();
      const failure = await rejectionOf(wedged.unary('whoami', {}));
      expect(failure).to.be.instanceOf(RpcFailure).and.to.include({ status: 'DEADLINE_EXCEEDED', connection: undefined });
      // A loose bound: it waited for its deadline, not for the server.
      expect(Date.now() - started).to.be.below(10_000);
    } finally {
      wedged.close();
    }
  });

  it('ends a call at its deadline when the handshake never completes', async () => {
    const path = join(temp.path, 'silent.sock');
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(path, resolve));
    servers.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => silent.close(() => resolve()));
    });
    const credentials = { address: `unix:${path}`, rootCertPem: identity.rootCertPem, clientCertPem: client.pem, clientKeyPem: client.keyPem };
    const wedged = new WireClient(CLIENT_WIRE, credentials, 300);
    try {
      expect(await rejectionOf(wedged.unary('whoami', {}))).to.be.instanceOf(RpcFailure).and.to.include({ status: 'DEADLINE_EXCEEDED' });
    } finally {
      wedged.close();
    }
  });
});
