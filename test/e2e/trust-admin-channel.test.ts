import { expect } from 'chai';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectivityState, status, type Client } from '@grpc/grpc-js';
import { MULTIPASSD_BIN } from '../support/binaries.js';
import { cleanEnv, runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wirePing } from '../support/grpc-wire-client.js';
import { NOBODY } from '../support/nobody.js';
import { cannotRunAsAnotherUser } from '../support/other-user.js';
import { runToExit } from '../support/run-to-exit.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate, type TestCertificate } from '../support/test-certificates.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (up to `ms`) for the server to drop the channel's connection: it leaves READY. */
async function connectionDropped(client: Client, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (client.getChannel().getConnectivityState(false) !== connectivityState.READY) return true;
    await sleep(20);
  }
  return false;
}

const auditLines = (dataDir: string): Array<Record<string, any>> =>
  readFileSync(join(dataDir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, any>);

for (const store of ['pem', 'sqlite'] as const) {
  describe(`multipassd trust through the running daemon (${store} store)`, function () {
    this.timeout(60_000);
    let temp: ReturnType<typeof makeTempDir>;
    let dataDir: string;
    let daemon: DaemonProcess;
    let alice: TestCertificate;
    let bob: TestCertificate;
    const trust = (...args: string[]) => runDaemonCommand(['trust', ...args, '--data-dir', dataDir, '--store', store, '--address', daemon.address]);
    const file = (cert: TestCertificate, name: string) => {
      const path = join(temp.path, name);
      writeFileSync(path, cert.pem);
      return path;
    };

    /** Bob and Alice trusted (Bob keeps the socket open), and Alice's connection open and in use. */
    const aliceConnected = async (): Promise<Client> => {
      expect((await trust('add', file(bob, 'bob.pem'))).code).to.equal(0);
      expect((await trust('add', file(alice, 'alice.pem'))).code).to.equal(0);
      const client = wireClient(daemon.address, readFileSync(daemon.rootCertPath, 'utf8'), { certPem: alice.pem, keyPem: alice.keyPem });
      expect((await wirePing(client)).code).to.equal(status.OK);
      return client;
    };

    beforeEach(async () => {
      temp = makeTempDir();
      dataDir = join(temp.path, 'data');
      [alice, bob] = [await makeTestCertificate('alice-laptop'), await makeTestCertificate('bob')];
      daemon = await startDaemonProcess({ dataDir, args: ['--address', `unix:${temp.path}/sock`, '--store', store] });
    });
    afterEach(async () => {
      await daemon.stop();
      temp.remove();
    });

    it('adds, lists, shows, labels and removes live, audited with the peer the kernel reported', async () => {
      expect(await trust('add', '--label', 'alice', file(alice, 'alice.pem'))).to.include({ code: 0, stdout: `Trusted ${alice.fingerprint}\n`, stderr: '' });
      // Through the daemon: its own records (the kernel's pid of the admin command), and the socket opened at once.
      const added = auditLines(dataDir).at(-1)!;
      expect(added).to.deep.include({ event: 'trust.add', fingerprint: alice.fingerprint, via: 'admin', label: 'alice' });
      expect(added.peer).to.include({ uid: 0, user: 'root' }).and.to.have.property('pid');
      expect(statSync(join(temp.path, 'sock')).mode & 0o777).to.equal(0o666);

      // A call noted in the daemon's memory only (flushed every 5 minutes) shows in the live list.
      const client = wireClient(daemon.address, readFileSync(daemon.rootCertPath, 'utf8'), { certPem: alice.pem, keyPem: alice.keyPem });
      expect((await wirePing(client)).code).to.equal(status.OK);
      client.close();
      const listed = await trust('list', '--format', 'json');
      expect(listed.code, listed.stderr).to.equal(0);
      const [record] = JSON.parse(listed.stdout).certificates;
      expect(record).to.include({ fingerprint: alice.fingerprint, via: 'admin', uid: 0, user: 'root', label: 'alice', subject: 'CN=alice-laptop' });
      expect(record.last_seen, 'the daemon noted it seen').to.be.a('string');

      const text = await trust('list');
      expect(text.stdout).to.match(new RegExp(`^${alice.fingerprint}  CN=alice-laptop  \\(valid until .*\\)  via=admin since=\\S+ uid=0 user=root label="alice" last-seen=\\d{4}-`));

      expect(await trust('label', alice.fingerprint, "alice's laptop")).to.include({ code: 0, stdout: `Labelled ${alice.fingerprint}\n` });
      const shown = await trust('show', alice.fingerprint);
      expect(shown.stdout).to.contain(`Fingerprint:   ${alice.fingerprint}\n`).and.to.contain('Subject:       CN=alice-laptop\n');
      expect(shown.stdout).to.contain('Trusted via:   admin\n').and.to.contain('Trusted by:    root (uid 0)\n').and.to.contain("Label:         alice's laptop\n");
      expect(JSON.parse((await trust('show', alice.fingerprint, '--format', 'json')).stdout)).to.include({ fingerprint: alice.fingerprint, label: "alice's laptop" });

      expect(await trust('remove', alice.fingerprint)).to.include({ code: 0, stdout: `Removed ${alice.fingerprint}\n` });
      expect(await trust('list')).to.include({ code: 0, stdout: 'No trusted certificates.\n' });
      const missing = await trust('show', alice.fingerprint);
      expect(missing).to.include({ code: 1, stderr: `multipassd: no trusted certificate has fingerprint ${alice.fingerprint}\n` });
      expect(auditLines(dataDir).map((line) => line.event)).to.deep.equal(['trust.add', 'trust.label', 'trust.remove']);
    });

    it("ends a removed certificate's open connection at once: its next call fails, and it is refused after", async () => {
      const client = await aliceConnected();
      try {
        expect(client.getChannel().getConnectivityState(false)).to.equal(connectivityState.READY);
        expect((await trust('remove', alice.fingerprint)).code).to.equal(0);
        expect(await connectionDropped(client, 500), 'the daemon ended the connection').to.equal(true);
        const next = await wirePing(client);
        expect(next.code, next.details).to.not.equal(status.OK);
        expect((await wirePing(client)).code).to.equal(status.UNAUTHENTICATED);
      } finally {
        client.close();
      }
    });

    it('ends the connections of a certificate removed on the store by another process, at the next resync', async () => {
      const client = await aliceConnected();
      try {
        expect((await trust('remove', '--offline', alice.fingerprint)).code).to.equal(0);
        expect(await connectionDropped(client, 5000), 'dropped within the 2 s resync').to.equal(true);
        // The line is written after the connection is ended: it may reach us a little later.
        const logged = () => daemon.stderr().includes('ended the connections of a certificate that is no longer trusted');
        for (let waited = 0; !logged() && waited < 2000; waited += 20) await sleep(20);
        expect(daemon.stderr()).to.contain('ended the connections of a certificate that is no longer trusted');
      } finally {
        client.close();
      }
    });

    it('works on the store when the daemon is gone, even when it left its socket behind', async () => {
      await daemon.stop('SIGKILL');
      expect(statSync(join(temp.path, 'sock')).isSocket(), 'a socket nothing listens on').to.equal(true);
      expect(await trust('add', file(alice, 'alice.pem'))).to.include({ code: 0, stdout: `Trusted ${alice.fingerprint}\n`, stderr: '' });
      expect((await trust('list')).stdout).to.match(new RegExp(`^${alice.fingerprint} `));
      expect(auditLines(dataDir).at(-1)!.peer, 'the offline actor: no pid').not.to.have.property('pid');
    });
  });
}

describe('multipassd trust: who may use the daemon, and TCP', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  const dataDir = () => join(temp.path, 'data');

  beforeEach(() => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
  });
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    temp.remove();
  });

  const asNobody = (args: string[]) =>
    runToExit(MULTIPASSD_BIN, ['trust', ...args, '--data-dir', dataDir(), '--address', daemon!.address], { env: cleanEnv(), uid: NOBODY, gid: NOBODY });

  it('refuses a user who is neither root nor in the admin group, saying who may', async function () {
    const reason = cannotRunAsAnotherUser(MULTIPASSD_BIN);
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`, '--socket-group', 'root'] });
    // Nobody trusted: the socket is 0660 root:root, and the kernel refuses uid 65534.
    const denied = await asNobody(['list']);
    expect(denied.code).to.equal(1);
    expect(denied.stderr).to.equal(
      `multipassd: cannot connect to the daemon's socket '${temp.path}/sock': permission denied. ` +
        "Trust administration needs root or a member of the group 'root': run it with sudo\n",
    );

    // Someone trusted: the socket is open to all, and the daemon refuses by peer credentials.
    const cert = await makeTestCertificate();
    writeFileSync(join(temp.path, 'cert.pem'), cert.pem);
    expect((await runDaemonCommand(['trust', 'add', join(temp.path, 'cert.pem'), '--data-dir', dataDir(), '--address', daemon.address])).code).to.equal(0);
    const refused = await asNobody(['remove', cert.fingerprint]);
    expect(refused).to.include({
      code: 1,
      stderr: "multipassd: Trust administration needs root or a member of the group 'root'; nobody (uid 65534) is neither. Run it with sudo.\n",
    });
    const line = auditLines(dataDir()).at(-1)!;
    expect(line).to.deep.include({ event: 'trust.admin.refused', outcome: 'refused', reason: 'not-admin' });
    expect(line.peer).to.include({ uid: NOBODY, user: 'nobody' });
    expect((await runDaemonCommand(['trust', 'list', '--data-dir', dataDir(), '--address', daemon.address])).stdout).to.contain(cert.fingerprint);
  });

  it('works on the store over TCP, where the daemon cannot tell who calls, and says so', async () => {
    daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', '127.0.0.1:0'] });
    const cert = await makeTestCertificate();
    writeFileSync(join(temp.path, 'cert.pem'), cert.pem);
    const added = await runDaemonCommand(['trust', 'add', join(temp.path, 'cert.pem'), '--data-dir', dataDir(), '--address', daemon.address]);
    expect(added).to.include({ code: 0, stdout: `Trusted ${cert.fingerprint}\n` });
    expect(added.stderr).to.equal(
      `multipassd: the daemon listens on TCP (${daemon.address}), where it cannot tell who is calling: working on the store directly\n`,
    );
    expect(auditLines(dataDir()).map((line) => [line.event, line.reason])).to.deep.equal([
      ['trust.admin.refused', 'tcp-peer'],
      ['trust.add', undefined],
    ]);
    // Seen by the daemon as any offline change is: at the client's first call.
    const client = wireClient(daemon.address, readFileSync(daemon.rootCertPath, 'utf8'), { certPem: cert.pem, keyPem: cert.keyPem });
    expect((await wirePing(client)).code).to.equal(status.OK);
    client.close();
  });
});
