import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { DAEMON_IDENTITY_FILES, ensureDaemonIdentity } from '../../src/adapters/crypto/daemon-identity.js';
import { createEcCertificate } from '../../src/adapters/crypto/x509-keys.js';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate, type TestCertificate } from '../support/test-certificates.js';

const DAY = 24 * 60 * 60 * 1000;
// The daemon renews 60 days before expiry; this certificate reaches that point this long after
// it is planted: enough for the daemon to start with it and a client to connect first.
const UNTIL_DUE_MS = 10_000;

/** A trusted client's own TLS connection and HTTP/2 session, so the test sees whether it survives. */
interface OpenClient {
  readonly socket: TLSSocket;
  readonly session: ClientHttp2Session;
  /** The gRPC status of a `ping` on this connection. */
  ping(): Promise<string | undefined>;
  close(): void;
}

async function openClient(socketPath: string, rootCertPem: string, client: TestCertificate): Promise<OpenClient> {
  const socket = tlsConnect({ path: socketPath, ca: rootCertPem, cert: client.pem, key: client.keyPem, servername: 'localhost', ALPNProtocols: ['h2'] });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  const session = http2Connect('https://localhost', { createConnection: () => socket });
  session.on('error', () => undefined);
  const ping = () =>
    new Promise<string | undefined>((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': '/multipass.Rpc/ping', 'content-type': 'application/grpc', te: 'trailers' });
      let status: string | undefined;
      stream.on('response', (headers) => (status ??= headers['grpc-status'] as string | undefined));
      stream.on('trailers', (trailers) => (status ??= trailers['grpc-status'] as string | undefined));
      stream.on('error', reject);
      stream.on('close', () => resolve(status));
      stream.resume();
      // One empty, uncompressed PingRequest.
      stream.end(Buffer.alloc(5));
    });
  return { socket, session, ping, close: () => session.destroy() };
}

/** The daemon's certificate as a new connection sees it, verified against `rootCertPem` for `localhost`. */
async function servedCertificate(socketPath: string, rootCertPem: string): Promise<X509Certificate> {
  const socket = tlsConnect({ path: socketPath, ca: rootCertPem, servername: 'localhost', ALPNProtocols: ['h2'] });
  try {
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    expect(socket.authorized, String(socket.authorizationError)).to.equal(true);
    return socket.getPeerX509Certificate()!;
  } finally {
    socket.destroy();
  }
}

describe('server certificate renewal while the daemon runs', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  let client: OpenClient | undefined;

  beforeEach(() => (temp = makeTempDir()));
  afterEach(async () => {
    client?.close();
    await daemon?.stop();
    temp.remove();
  });

  it('renews the certificate when due, keeps open connections and serves the new one to new connections', async () => {
    const dataDir = join(temp.path, 'data');
    const certificateDir = join(dataDir, 'certificate');
    const socketPath = join(temp.path, 'multipass_socket');
    const { rootCertPem } = await ensureDaemonIdentity(certificateDir);
    const trusted = await makeTestCertificate('renewal-test-client');
    writeFileSync(join(temp.path, 'client.pem'), trusted.pem);
    expect((await runDaemonCommand(['trust', 'add', join(temp.path, 'client.pem'), '--data-dir', dataDir])).code).to.equal(0);
    // A server certificate from the daemon's own root CA that falls due UNTIL_DUE_MS from now.
    const root = { certPem: rootCertPem, keyPem: readFileSync(join(certificateDir, DAEMON_IDENTITY_FILES.rootKey), 'utf8') };
    const now = Date.now();
    const planted = await createEcCertificate({
      profile: 'server',
      subject: 'CN=localhost',
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 60 * DAY + UNTIL_DUE_MS),
      dnsNames: ['localhost'],
      issuer: root,
    });
    writeFileSync(join(certificateDir, DAEMON_IDENTITY_FILES.serverKey), planted.keyPem, { mode: 0o600 });
    writeFileSync(join(certificateDir, DAEMON_IDENTITY_FILES.serverCert), planted.certPem, { mode: 0o644 });
    const plantedSerial = new X509Certificate(planted.certPem).serialNumber;

    daemon = await startDaemonProcess({ dataDir, args: ['--address', `unix:${socketPath}`] });
    client = await openClient(socketPath, rootCertPem, trusted);
    expect(await client.ping(), 'a trusted ping before the renewal').to.equal('0');
    expect((client.socket.getPeerX509Certificate()!).serialNumber, 'started with the planted certificate').to.equal(plantedSerial);

    const serverCertPath = join(certificateDir, DAEMON_IDENTITY_FILES.serverCert);
    for (let waited = 0; readFileSync(serverCertPath, 'utf8') === planted.certPem && waited < UNTIL_DUE_MS + 20_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const renewed = new X509Certificate(readFileSync(serverCertPath, 'utf8'));
    expect(renewed.serialNumber, 'renewed on disk').to.not.equal(plantedSerial);
    for (let waited = 0; !daemon.stderr().includes('serving the renewed server certificate') && waited < 5000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(client.socket.destroyed, 'the open connection was not dropped').to.equal(false);
    expect(await client.ping(), 'a trusted ping on the same connection after the renewal').to.equal('0');
    const served = await servedCertificate(socketPath, rootCertPem);
    expect(served.serialNumber, 'a new connection gets the renewed certificate').to.equal(renewed.serialNumber);
    expect(served.checkIssued(new X509Certificate(rootCertPem))).to.equal(true);
    expect(new Date(served.validTo).getTime()).to.be.greaterThan(Date.now() + 365 * DAY);
    expect(readFileSync(join(certificateDir, DAEMON_IDENTITY_FILES.rootCert), 'utf8'), 'the same root CA').to.equal(rootCertPem);
  });
});
