import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { expect } from 'chai';
import { ensureClientIdentity } from '../../../src/adapters/crypto/client-identity.js';
import {
  DAEMON_IDENTITY_FILES,
  ensureDaemonIdentity,
  identityMismatch,
  type DaemonIdentity,
} from '../../../src/adapters/crypto/daemon-identity.js';
import { multipassIdentityPaths } from '../../../src/adapters/multipass/multipass-locations.js';
import { clientCertificateFromPeer, clientCertificateFromPem } from '../../../src/adapters/crypto/presented-certificate.js';
import { createEcCertificate } from '../../../src/adapters/crypto/x509-keys.js';
import { UnsafePathError } from '../../../src/adapters/fs/unsafe-path-error.js';
import type { ClientCertificate } from '../../../src/domain/client-certificate.js';
import { baitDir, baitFile } from '../../support/bait.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { RecordingLoggerFake } from '../../support/fakes/recording-logger-fake.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const DAY = 24 * 60 * 60 * 1000;

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('ensureDaemonIdentity', () => {
  let temp: { path: string; remove: () => void };
  let dir: string;
  const file = (name: keyof typeof DAEMON_IDENTITY_FILES): string => join(dir, DAEMON_IDENTITY_FILES[name]);
  const read = (name: keyof typeof DAEMON_IDENTITY_FILES): string => readFileSync(file(name), 'utf8');

  beforeEach(() => {
    temp = makeTempDir();
    dir = join(temp.path, 'data', 'certificate');
  });
  afterEach(() => temp.remove());

  it('creates the root CA and server key pairs with public certificates and private keys', async () => {
    const identity = await ensureDaemonIdentity(dir);
    expect(modeOf(dir)).to.equal(0o755);
    expect(modeOf(file('rootCert'))).to.equal(0o644);
    expect(modeOf(file('rootKey'))).to.equal(0o600);
    expect(modeOf(file('serverCert'))).to.equal(0o644);
    expect(modeOf(file('serverKey'))).to.equal(0o600);
    expect(identity.rootCertPem).to.equal(read('rootCert'));
    expect(identity.serverCertPem).to.equal(read('serverCert'));
    expect(identity.serverKeyPem).to.equal(read('serverKey'));
    expect(identity.serverKeyPem).to.match(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('makes a P-256 root CA and a localhost server certificate signed by it', async () => {
    const identity = await ensureDaemonIdentity(dir);
    const root = new X509Certificate(identity.rootCertPem);
    const server = new X509Certificate(identity.serverCertPem);

    expect(root.ca).to.equal(true);
    expect(root.subject).to.include('CN=Multipass Root CA');
    expect(root.verify(root.publicKey)).to.equal(true);
    expect(root.checkPrivateKey(createPrivateKey(read('rootKey')))).to.equal(true);
    expect(root.publicKey.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
    expect(new Date(root.validTo).getTime()).to.be.greaterThan(Date.now() + 9 * 365 * DAY);

    expect(server.ca).to.equal(false);
    expect(server.verify(root.publicKey)).to.equal(true);
    expect(server.checkIssued(root)).to.equal(true);
    expect(server.checkPrivateKey(createPrivateKey(identity.serverKeyPem))).to.equal(true);
    expect(server.publicKey.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
    expect(server.subjectAltName).to.include('DNS:localhost');
    expect(server.checkHost('localhost')).to.equal('localhost');
    expect(server.keyUsage).to.deep.equal([SERVER_AUTH]);
    expect(new Date(server.validFrom).getTime()).to.be.lessThan(Date.now());
    expect(new Date(server.validTo).getTime()).to.be.greaterThan(Date.now() + 365 * DAY);
  });

  it('reuses the files it made on later calls', async () => {
    const first = await ensureDaemonIdentity(dir);
    const before = Object.keys(DAEMON_IDENTITY_FILES).map((name) => read(name as keyof typeof DAEMON_IDENTITY_FILES));
    const second = await ensureDaemonIdentity(dir);
    const after = Object.keys(DAEMON_IDENTITY_FILES).map((name) => read(name as keyof typeof DAEMON_IDENTITY_FILES));
    expect(second).to.deep.equal(first);
    expect(after).to.deep.equal(before);
  });

  it('reissues a missing server certificate from the existing root CA', async () => {
    const first = await ensureDaemonIdentity(dir);
    rmSync(file('serverCert'));
    const logger = new RecordingLoggerFake();
    const second = await ensureDaemonIdentity(dir, logger);
    expect(second.rootCertPem).to.equal(first.rootCertPem);
    expect(second.serverCertPem).to.not.equal(first.serverCertPem);
    expect(second.serverKeyPem).to.not.equal(first.serverKeyPem);
    expect(new X509Certificate(second.serverCertPem).verify(new X509Certificate(first.rootCertPem).publicKey)).to.equal(true);
    expect(read('serverCert')).to.equal(second.serverCertPem);
    expect(logger.lines.map((line) => line.message)).to.deep.equal(['issuing the daemon server certificate']);
    expect(logger.text()).to.not.include('PRIVATE KEY');
  });

  it('reissues an expired or unparseable server certificate, keeping the root CA', async () => {
    const first = await ensureDaemonIdentity(dir);
    const root = { certPem: first.rootCertPem, keyPem: read('rootKey') };
    const expired = await createEcCertificate({
      profile: 'server',
      subject: 'CN=localhost',
      dnsNames: ['localhost'],
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - DAY),
      issuer: root,
    });
    writeFileSync(file('serverCert'), expired.certPem);
    writeFileSync(file('serverKey'), expired.keyPem);
    const renewed = await ensureDaemonIdentity(dir);
    expect(renewed.rootCertPem).to.equal(first.rootCertPem);
    expect(renewed.serverCertPem).to.not.equal(expired.certPem);
    expect(new Date(new X509Certificate(renewed.serverCertPem).validTo).getTime()).to.be.greaterThan(Date.now());

    writeFileSync(file('serverCert'), 'not a certificate');
    const again = await ensureDaemonIdentity(dir);
    expect(again.rootCertPem).to.equal(first.rootCertPem);
    expect(new X509Certificate(again.serverCertPem).verify(new X509Certificate(first.rootCertPem).publicKey)).to.equal(true);
  });

  it('reissues a server certificate that another CA signed', async () => {
    const first = await ensureDaemonIdentity(dir);
    const elsewhere = await ensureDaemonIdentity(join(temp.path, 'elsewhere'));
    writeFileSync(file('serverCert'), elsewhere.serverCertPem);
    writeFileSync(file('serverKey'), elsewhere.serverKeyPem);
    const second = await ensureDaemonIdentity(dir);
    expect(second.rootCertPem).to.equal(first.rootCertPem);
    expect(second.serverCertPem).to.not.equal(elsewhere.serverCertPem);
    expect(new X509Certificate(second.serverCertPem).verify(new X509Certificate(first.rootCertPem).publicKey)).to.equal(true);
  });

  it('starts over with a new root CA when the root key is missing', async () => {
    const first = await ensureDaemonIdentity(dir);
    rmSync(file('rootKey'));
    const second = await ensureDaemonIdentity(dir);
    expect(second.rootCertPem).to.not.equal(first.rootCertPem);
    expect(second.serverCertPem).to.not.equal(first.serverCertPem);
    expect(new X509Certificate(second.serverCertPem).verify(new X509Certificate(second.rootCertPem).publicKey)).to.equal(true);
    expect(modeOf(file('rootKey'))).to.equal(0o600);
  });

  it('starts over when the root certificate is corrupt', async () => {
    const first = await ensureDaemonIdentity(dir);
    writeFileSync(file('rootCert'), first.rootCertPem.slice(0, 100));
    const second = await ensureDaemonIdentity(dir);
    expect(second.rootCertPem).to.not.equal(first.rootCertPem);
    expect(new X509Certificate(second.serverCertPem).verify(new X509Certificate(second.rootCertPem).publicKey)).to.equal(true);
  });

  it('restores the permissions of reused files', async () => {
    await ensureDaemonIdentity(dir);
    chmodSync(file('rootKey'), 0o644);
    chmodSync(file('serverKey'), 0o640);
    chmodSync(file('rootCert'), 0o600);
    chmodSync(dir, 0o700);
    await ensureDaemonIdentity(dir);
    expect(modeOf(file('rootKey'))).to.equal(0o600);
    expect(modeOf(file('serverKey'))).to.equal(0o600);
    expect(modeOf(file('rootCert'))).to.equal(0o644);
    expect(modeOf(dir)).to.equal(0o755);
  });

  describe("in Multipass's layout (root CA where Multipass's CLI reads it, the rest in certificates/)", () => {
    const spread = () => multipassIdentityPaths(join(temp.path, 'data'), join(temp.path, 'usr-local-etc-multipassd'));

    it('makes a new identity there, the root CA world-readable for the CLI', async () => {
      const paths = spread();
      const identity = await ensureDaemonIdentity(paths);
      expect(readFileSync(paths.rootCert, 'utf8')).to.equal(identity.rootCertPem);
      expect(readFileSync(paths.serverCert, 'utf8')).to.equal(identity.serverCertPem);
      expect(new X509Certificate(identity.serverCertPem).verify(new X509Certificate(identity.rootCertPem).publicKey)).to.equal(true);
      expect(createPrivateKey(readFileSync(paths.rootKey, 'utf8')).asymmetricKeyType).to.equal('ec');
      expect(modeOf(paths.rootCert)).to.equal(0o644);
      expect(modeOf(paths.rootKey)).to.equal(0o600);
      expect(modeOf(dirname(paths.rootCert))).to.equal(0o755);
    });

    it("reuses Multipass's own files byte for byte and leaves their modes (0744, 0400) alone", async () => {
      const paths = spread();
      const made = await ensureDaemonIdentity(paths);
      for (const path of [paths.rootCert, paths.serverCert]) chmodSync(path, 0o744);
      for (const path of [paths.rootKey, paths.serverKey]) chmodSync(path, 0o400);
      const before = [paths.rootCert, paths.rootKey, paths.serverCert, paths.serverKey].map((path) => readFileSync(path, 'utf8'));
      const again = await ensureDaemonIdentity(paths);
      expect(again).to.deep.equal(made);
      expect([paths.rootCert, paths.rootKey, paths.serverCert, paths.serverKey].map((path) => readFileSync(path, 'utf8'))).to.deep.equal(before);
      expect([paths.rootCert, paths.serverCert].map(modeOf)).to.deep.equal([0o744, 0o744]);
      expect([paths.rootKey, paths.serverKey].map(modeOf)).to.deep.equal([0o400, 0o400]);
    });
  });

  describe('identityMismatch', () => {
    it('accepts a root CA with the server certificate it signed, and names what is wrong otherwise', async () => {
      const now = Date.now();
      const root = await createEcCertificate({ profile: 'root-ca', subject: 'CN=root', notBefore: new Date(now - DAY), notAfter: new Date(now + DAY) });
      const other = await createEcCertificate({ profile: 'root-ca', subject: 'CN=other', notBefore: new Date(now - DAY), notAfter: new Date(now + DAY) });
      const server = await createEcCertificate({
        profile: 'server',
        subject: 'CN=localhost',
        notBefore: new Date(now - DAY),
        notAfter: new Date(now + DAY),
        dnsNames: ['localhost'],
        issuer: root,
      });
      expect(identityMismatch(root, server)).to.equal(undefined);
      expect(identityMismatch(other, server)).to.contain('not signed by the root CA');
      expect(identityMismatch(server, server)).to.contain('not a CA');
      expect(identityMismatch({ ...root, keyPem: other.keyPem }, server)).to.contain('does not match its key');
      expect(identityMismatch(root, { ...server, certPem: 'garbage' })).to.contain('unparseable');
    });
  });

  describe('with a symbolic link planted where its files belong', () => {
    let elsewhere: string;
    beforeEach(() => {
      elsewhere = join(temp.path, 'elsewhere');
      mkdirSync(elsewhere);
    });

    for (const name of Object.keys(DAEMON_IDENTITY_FILES) as (keyof typeof DAEMON_IDENTITY_FILES)[]) {
      it(`refuses a link at ${DAEMON_IDENTITY_FILES[name]} between starts, and leaves the file it names alone`, async () => {
        await ensureDaemonIdentity(dir);
        // A usable key pair is reused and its modes restored: the link must not carry that chmod elsewhere.
        const bait = baitFile(elsewhere, name, read(name));
        rmSync(file(name));
        bait.plantAt(file(name));
        const error = await rejectionOf(ensureDaemonIdentity(dir));
        expect(error).to.be.instanceOf(UnsafePathError);
        expect((error as UnsafePathError).message).to.contain(`'${file(name)}'`).and.contain('symbolic link');
        bait.expectUntouched();
      });
    }

    it('refuses a link where the certificate directory should be, and writes nothing through it', async () => {
      const bait = baitDir(elsewhere);
      mkdirSync(dirname(dir), { recursive: true });
      bait.plantAt(dir);
      const error = await rejectionOf(ensureDaemonIdentity(dir));
      expect(error).to.be.instanceOf(UnsafePathError);
      expect((error as UnsafePathError).path).to.equal(dir);
      bait.expectUntouched();
    });
  });

  describe('over a real TLS connection', () => {
    let identity: DaemonIdentity;
    let server: Server;
    let port: number;
    let presented: ClientCertificate[];

    beforeEach(async () => {
      identity = await ensureDaemonIdentity(dir);
      presented = [];
      server = createServer({ cert: identity.serverCertPem, key: identity.serverKeyPem, requestCert: true, rejectUnauthorized: false });
      server.on('secureConnection', (socket: TLSSocket) => {
        const peer = socket.getPeerCertificate();
        if (peer.raw !== undefined) presented.push(clientCertificateFromPeer(peer));
        socket.end('hello');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterEach(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    function handshake(options: { ca: string; cert?: string; key?: string }): Promise<string> {
      return new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...options });
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
      });
    }

    it('lets a client that trusts the root CA verify the daemon, and shows the daemon its certificate', async () => {
      const client = await ensureClientIdentity(join(temp.path, 'client'));
      const reply = await handshake({ ca: identity.rootCertPem, cert: client.certPem, key: client.keyPem });
      expect(reply).to.equal('hello');
      expect(presented).to.have.length(1);
      expect(presented[0]!.fingerprint).to.equal(clientCertificateFromPem(client.certPem).fingerprint);
      expect(presented[0]).to.deep.equal(clientCertificateFromPem(client.certPem));
    });

    it('is refused by a client that trusts a different root CA', async () => {
      const stranger = await ensureDaemonIdentity(join(temp.path, 'stranger'));
      let failure: unknown;
      await handshake({ ca: stranger.rootCertPem }).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(Error);
      expect((failure as NodeJS.ErrnoException).code).to.match(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|CERT/);
      expect(presented).to.have.length(0);
    });
  });
});
