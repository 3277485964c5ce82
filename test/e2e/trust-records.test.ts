import { expect } from 'chai';
import { appendFileSync, chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliUser } from '../support/cli-process.js';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { NOBODY, nobodyCannotRun } from '../support/nobody.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';

interface ListedRecord {
  readonly fingerprint: string;
  readonly subject: string | null;
  readonly via: string;
  readonly since: string;
  readonly uid: number | null;
  readonly user: string | null;
  readonly label: string | null;
  readonly last_seen: string | null;
}



for (const store of ['pem', 'sqlite'] as const) {
  describe(`who is who: trust records on the ${store} store`, function () {
    this.timeout(60_000);
    let temp: ReturnType<typeof makeTempDir>;
    let daemon: DaemonProcess;
    let dataDir: string;

    const admin = (...args: string[]) => runDaemonCommand([...args, '--data-dir', dataDir, '--store', store]);
    const records = async (): Promise<ListedRecord[]> => {
      const listed = await admin('trust', 'list', '--format', 'json');
      expect(listed.code, listed.stderr).to.equal(0);
      return (JSON.parse(listed.stdout) as { certificates: ListedRecord[] }).certificates;
    };
    const user = (name: string, uid?: number): CliUser => {
      const home = join(temp.path, `home-${name}`);
      mkdirSync(home, { recursive: true });
      if (uid !== undefined) chownSync(home, uid, uid);
      return { home, address: daemon.address, rootCertPath: daemon.rootCertPath, ...(uid === undefined ? {} : { uid, gid: uid }) };
    };

    beforeEach(async () => {
      temp = makeTempDir();
      chmodSync(temp.path, 0o755);
      dataDir = join(temp.path, 'data');
      daemon = await startDaemonProcess({
        dataDir,
        args: ['--address', `unix:${temp.path}/sock`, '--store', store],
        env: { MULTIPASSD_LAST_SEEN_FLUSH_MS: '300' },
      });
    });

    afterEach(async () => {
      await daemon.stop();
      temp.remove();
    });

    it('lists how, when and by whom each certificate was trusted, its label, and when it was last seen', async () => {
      const started = Date.now();
      const root = user('admin');
      expect((await runCli(root, ['version'])).code).to.equal(0);
      expect((await runCli(root, ['set', 'local.passphrase=pass'])).code).to.equal(0);
      const viaPassphrase = user('bob', nobodyCannotRun() === undefined ? NOBODY : undefined);
      expect((await runCli(viaPassphrase, ['authenticate', 'pass'])).code).to.equal(0);
      const laptop = await makeTestCertificate('carol-laptop');
      writeFileSync(join(temp.path, 'carol.pem'), laptop.pem);
      expect(await admin('trust', 'add', '--label', 'carol', join(temp.path, 'carol.pem'))).to.include({ code: 0 });

      const [bootstrap, enrolled, added] = await records();
      expect(bootstrap).to.include({ via: 'bootstrap', uid: 0, user: 'root', label: null });
      if (nobodyCannotRun() === undefined) expect(enrolled).to.include({ via: 'passphrase', uid: NOBODY, user: 'nobody' });
      else expect(enrolled).to.include({ via: 'passphrase', uid: 0, user: 'root' });
      expect(added).to.include({ fingerprint: laptop.fingerprint, via: 'admin', uid: 0, user: 'root', label: 'carol', last_seen: null });
      for (const record of [bootstrap, enrolled, added]) expect(Date.parse(record!.since)).to.be.within(started - 1000, Date.now());

      // Seen times reach the store at the next flush (here every 300 ms), never at each call.
      expect((await runCli(viaPassphrase, ['list'])).code).to.equal(0);
      const before = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 700));
      const seen = (await records())[1]!;
      expect(Date.parse(seen.last_seen ?? '')).to.be.within(started, before);

      const text = (await admin('trust', 'list')).stdout;
      expect(text).to.match(new RegExp(`^${laptop.fingerprint}  CN=carol-laptop.*valid until \\d{4}-.*  via=admin since=\\S+Z uid=0 user=root label="carol" last-seen=never$`, 'm'));
      expect(text).to.match(/via=passphrase since=\S+ uid=\d+ user=\w+ last-seen=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
    });

    it('sets and clears a label with trust label, and writes the last-seen times at stop', async () => {
      const root = user('admin');
      expect((await runCli(root, ['list'])).code).to.equal(0);
      const [first] = await records();
      expect(await admin('trust', 'label', first!.fingerprint, 'build server')).to.include({ code: 0, stdout: `Labelled ${first!.fingerprint}\n` });
      expect((await records())[0]).to.include({ label: 'build server' });
      expect(await admin('trust', 'label', first!.fingerprint)).to.include({ code: 0, stdout: `Cleared the label of ${first!.fingerprint}\n` });
      expect((await records())[0]).to.include({ label: null });
      const unknown = await admin('trust', 'label', 'f'.repeat(64), 'x');
      expect(unknown).to.include({ code: 1, stderr: `multipassd: no trusted certificate has fingerprint ${'f'.repeat(64)}\n` });

      await daemon.stop();
      daemon = await startDaemonProcess({ dataDir, args: ['--address', `unix:${temp.path}/sock`, '--store', store] });
      const calledAt = Date.now();
      expect((await runCli({ ...root, address: daemon.address }, ['list'])).code).to.equal(0);
      await daemon.stop();
      expect(Date.parse((await records())[0]!.last_seen ?? '')).to.be.within(calledAt - 1000, Date.now());
    });
  });
}

describe('who is who: certificates found in the PEM file, and migrate-store', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let dataDir: string;

  beforeEach(() => {
    temp = makeTempDir();
    dataDir = join(temp.path, 'data');
  });
  afterEach(() => temp.remove());

  const records = async (store: 'pem' | 'sqlite') =>
    (JSON.parse((await runDaemonCommand(['trust', 'list', '--format', 'json', '--data-dir', dataDir, '--store', store])).stdout) as { certificates: ListedRecord[] })
      .certificates;

  it("shows a certificate appended to the PEM file by hand as 'file', and migrate-store keeps every record", async () => {
    const added = await makeTestCertificate('added');
    const byHand = await makeTestCertificate('by-hand');
    writeFileSync(join(temp.path, 'added.pem'), added.pem);
    expect((await runDaemonCommand(['trust', 'add', '--label', 'kept', join(temp.path, 'added.pem'), '--data-dir', dataDir])).code).to.equal(0);
    appendFileSync(join(dataDir, 'authenticated-certs', 'multipass_client_certs.pem'), byHand.pem);
    const pem = await records('pem');
    expect(pem.map((record) => [record.fingerprint, record.via, record.label])).to.deep.equal([
      [added.fingerprint, 'admin', 'kept'],
      [byHand.fingerprint, 'file', null],
    ]);
    const migrated = await runDaemonCommand(['migrate-store', '--to', 'sqlite', '--data-dir', dataDir]);
    expect(migrated.code, migrated.stderr).to.equal(0);
    expect(await records('sqlite')).to.deep.equal(pem);
  });
});
