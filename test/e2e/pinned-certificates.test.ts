import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wirePing, wireStream } from '../support/grpc-wire-client.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate, type TestCertificate } from '../support/test-certificates.js';

const DAY = 24 * 60 * 60 * 1000;

/**
 * Multipass compares a presented certificate with its stored copy and never looks at the dates;
 * its clients' certificates last a year and are never renewed. A stored certificate is a pin.
 */
describe('pinned client certificates', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  let expired: TestCertificate;

  beforeEach(async () => {
    temp = makeTempDir();
    // A Multipass user of two years ago: the certificate ran out a year ago.
    expired = await makeTestCertificate('old-multipass-client', {
      notBefore: new Date(Date.now() - 730 * DAY),
      notAfter: new Date(Date.now() - 365 * DAY),
    });
    const file = join(temp.path, 'old.pem');
    writeFileSync(file, expired.pem);
    const added = await runDaemonCommand(['trust', 'add', file, '--data-dir', join(temp.path, 'data')]);
    expect(added.code, added.stderr).to.equal(0);
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    temp.remove();
  });

  const start = async (env: NodeJS.ProcessEnv = {}) => {
    daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${join(temp.path, 'sock')}`], env });
    return daemon;
  };
  const connect = (running: DaemonProcess, cert: TestCertificate) =>
    wireClient(running.address, readFileSync(running.rootCertPath, 'utf8'), { certPem: cert.pem, keyPem: cert.keyPem });

  it('trusts a stored certificate whatever its dates, and says so at info once per connection', async () => {
    const running = await start();
    const client = connect(running, expired);

    expect((await wirePing(client)).code).to.equal(status.OK);
    expect((await wireStream(client, 'list', {})).code).to.equal(status.OK);
    expect((await wirePing(client)).code).to.equal(status.OK);
    client.close();

    const notes = running.stderr().split('\n').filter((line) => line.includes('presents an expired certificate'));
    expect(notes, 'one line for the one connection').to.have.length(1);
    expect(notes[0]).to.contain('"level":30').and.to.contain(expired.fingerprint);
  });

  it('enrols an expired certificate with the passphrase, as Multipass would', async () => {
    const running = await start();
    const admin = connect(running, expired);
    expect((await wireStream(admin, 'set', { key: 'local.passphrase', val: 'pw' })).code).to.equal(status.OK);
    const stale = await makeTestCertificate('stale', { notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
    const client = connect(running, stale);

    expect((await wireStream(client, 'authenticate', { passphrase: 'pw' })).code).to.equal(status.OK);
    expect((await wirePing(client)).code).to.equal(status.OK);
    admin.close();
    client.close();
  });

  it('refuses certificates outside their dates only when the admin asks for it (reject_expired_certificates)', async () => {
    const running = await start({ MULTIPASSD_REJECT_EXPIRED_CERTIFICATES: 'true' });
    const client = connect(running, expired);

    const refused = await wirePing(client);

    expect(refused.code).to.equal(status.UNAUTHENTICATED);
    expect(refused.details).to.equal('The client certificate is expired or not yet valid.');
    client.close();
  });
});
