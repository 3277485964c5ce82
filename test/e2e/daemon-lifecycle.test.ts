import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { runDaemonCommand, startDaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('multipassd lifecycle', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let socket: string;
  const args = () => ['--address', `unix:${socket}`];

  beforeEach(() => {
    temp = makeTempDir();
    socket = join(temp.path, 'multipass_socket');
  });
  afterEach(() => temp.remove());

  it('creates its root CA and server certificate on first start and reuses them', async () => {
    const certDir = join(temp.path, 'certificate');
    const first = await startDaemonProcess({ dataDir: temp.path, args: args() });
    await first.stop();
    const files = ['multipass_root_cert.pem', 'multipass_root_cert_key.pem', 'localhost.pem', 'localhost_key.pem'];
    const before = files.map((name) => readFileSync(join(certDir, name), 'utf8'));
    expect(statSync(join(certDir, 'multipass_root_cert_key.pem')).mode & 0o777).to.equal(0o600);
    expect(statSync(join(certDir, 'localhost_key.pem')).mode & 0o777).to.equal(0o600);
    expect(statSync(join(certDir, 'multipass_root_cert.pem')).mode & 0o004, 'root CA world-readable').to.equal(0o004);

    const server = new X509Certificate(before[2]!);
    expect(server.subjectAltName).to.contain('DNS:localhost');
    expect(server.publicKey.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
    expect(server.verify(new X509Certificate(before[0]!).publicKey)).to.equal(true);

    const second = await startDaemonProcess({ dataDir: temp.path, args: args() });
    await second.stop();
    expect(files.map((name) => readFileSync(join(certDir, name), 'utf8'))).to.deep.equal(before);
  });

  it('prints where it listens and how to use the CLI', async () => {
    const daemon = await startDaemonProcess({ dataDir: temp.path, args: args() });
    await daemon.stop();
    expect(daemon.stdout()).to.contain(`is listening on unix:${socket}`);
    expect(daemon.stdout()).to.match(/multipass\.js list/);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops cleanly on ${signal} and removes its socket`, async () => {
      const daemon = await startDaemonProcess({ dataDir: temp.path, args: args() });
      expect(existsSync(socket)).to.equal(true);
      expect(await daemon.stop(signal)).to.equal(0);
      expect(existsSync(socket)).to.equal(false);
    });
  }

  it('stops on SIGTERM even while a client holds a connection open without a handshake', async () => {
    const daemon = await startDaemonProcess({ dataDir: temp.path, args: args() });
    const idle = connect(socket);
    await new Promise((resolve) => idle.once('connect', resolve));
    try {
      expect(await daemon.stop('SIGTERM')).to.equal(0);
      expect(existsSync(socket)).to.equal(false);
    } finally {
      idle.destroy();
    }
  });

  it('replaces a stale socket left by a daemon that was killed', async () => {
    const killed = await startDaemonProcess({ dataDir: temp.path, args: args() });
    await killed.stop('SIGKILL');
    expect(existsSync(socket), 'SIGKILL leaves the socket file behind').to.equal(true);
    const daemon = await startDaemonProcess({ dataDir: temp.path, args: args() });
    expect(await daemon.stop()).to.equal(0);
  });

  it('refuses to start over a daemon that is still answering, and leaves it running', async () => {
    const running = await startDaemonProcess({ dataDir: temp.path, args: args() });
    try {
      const second = await runDaemonCommand(['--data-dir', join(temp.path, 'other'), ...args()]);
      expect(second.code).to.equal(1);
      expect(second.stderr).to.contain(`another multipassd is already listening on '${socket}'`);
      expect(existsSync(socket)).to.equal(true);
      expect(running.child.exitCode).to.equal(null);
    } finally {
      await running.stop();
    }
  });

  it('refuses an unknown socket group with a clear message', async () => {
    const result = await runDaemonCommand(['--data-dir', temp.path, ...args(), '--socket-group', 'no-such-group-xyz']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain("socket group 'no-such-group-xyz' does not exist");
    expect(existsSync(socket)).to.equal(false);
  });
});
