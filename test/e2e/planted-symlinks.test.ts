import { expect } from 'chai';
import {
  chmodSync,
  chownSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { baitDir, baitFile, type Bait } from '../support/bait.js';
import { MULTIPASSD_BIN } from '../support/binaries.js';
import { cleanEnv, runDaemonCommand, startDaemonProcess } from '../support/daemon-process.js';
import { runToExit, type ProcessResult } from '../support/run-to-exit.js';
import { makeMultipassFixture } from '../support/multipass-fixture.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';

/*
 * Issue 7, point 4: a hostile local user who can create names where the daemon keeps its
 * files plants symbolic links to files of their choosing (the bait stands in for /etc/shadow
 * or /etc) and waits for the root daemon to write, chmod or chown them. The real multipassd
 * must refuse to start, naming the link, and leave the bait exactly as it was.
 */
const NOBODY = 65534;

describe('multipassd with a symbolic link planted where its files belong', function () {
  let temp: ReturnType<typeof makeTempDir>;
  let data: string;
  let socket: string;
  let elsewhere: string;

  beforeEach(function () {
    if (process.platform === 'win32') this.skip();
    temp = makeTempDir();
    data = join(temp.path, 'data');
    socket = join(temp.path, 'run', 'sock');
    elsewhere = join(temp.path, 'elsewhere');
    mkdirSync(elsewhere);
  });
  afterEach(() => temp?.remove());

  const start = (...extra: string[]) => runDaemonCommand(['--data-dir', data, '--address', `unix:${socket}`, ...extra]);

  function expectRefusal(result: ProcessResult, path: string, bait: Bait, problem = 'symbolic link'): void {
    expect(result.code, result.stderr).to.equal(1);
    // Log lines (JSON) may come first; the refusal is the last line, with no stack trace.
    const refusal = result.stderr.trimEnd().split('\n').pop();
    expect(refusal).to.match(/^multipassd: /).and.contain(`'${path}'`).and.contain(problem);
    expect(result.stderr).to.not.match(/\n\s+at /);
    expect(existsSync(socket), 'never listened').to.equal(false);
    bait.expectUntouched();
  }

  const planted: { name: string; kind: 'file' | 'dir'; store?: 'sqlite' }[] = [
    { name: '.', kind: 'dir' },
    { name: 'certificate', kind: 'dir' },
    { name: 'certificate/multipass_root_cert.pem', kind: 'file' },
    { name: 'certificate/multipass_root_cert_key.pem', kind: 'file' },
    { name: 'certificate/localhost.pem', kind: 'file' },
    { name: 'certificate/localhost_key.pem', kind: 'file' },
    { name: 'authenticated-certs', kind: 'dir' },
    { name: 'authenticated-certs/multipass_client_certs.pem', kind: 'file' },
    { name: 'authenticated-certs/multipass_client_certs.pem.lock', kind: 'file' },
    { name: 'multipassd.conf.lock', kind: 'file' },
    { name: 'multipassd.db', kind: 'file', store: 'sqlite' },
    { name: 'multipassd.db-wal', kind: 'file', store: 'sqlite' },
    { name: 'multipassd.db-shm', kind: 'file', store: 'sqlite' },
  ];
  for (const { name, kind, store } of planted) {
    const where = name === '.' ? 'the data directory itself' : `<data>/${name}`;
    it(`refuses to start with a link at ${where}${store ? ` (${store} store)` : ''}`, async () => {
      const link = name === '.' ? data : join(data, name);
      mkdirSync(dirname(link), { recursive: true });
      // Empty: the one kind of file SQLite would take for a new database and fill.
      const bait = kind === 'dir' ? baitDir(elsewhere) : baitFile(elsewhere, 'bait', store ? '' : undefined);
      bait.plantAt(link);
      expectRefusal(await start(...(store ? ['--store', store] : [])), link, bait);
    });
  }

  describe('at <data>/multipassd.conf, where an admin may link the settings elsewhere', () => {
    it('refuses to start when another user owns the link', async function () {
      if (process.getuid?.() !== 0) {
        console.log('        skipped: making a link owned by uid 65534 needs root');
        this.skip();
      }
      const link = join(data, 'multipassd.conf');
      mkdirSync(data, { recursive: true });
      const bait = baitFile(elsewhere);
      bait.plantAt(link);
      lchownSync(link, NOBODY, NOBODY);
      expectRefusal(await start(), link, bait, 'owned by uid 65534');
    });

    it('refuses to start when the link leads into a directory others can write', async () => {
      const shared = join(temp.path, 'shared');
      mkdirSync(shared, { mode: 0o777 });
      chmodSync(shared, 0o777);
      mkdirSync(data, { recursive: true });
      symlinkSync(join(shared, 'multipassd.conf'), join(data, 'multipassd.conf'));
      const result = await start();
      expect(result.code, result.stderr).to.equal(1);
      expect(result.stderr).to.contain(`'${shared}'`).and.contain('chmod go-w');
      expect(existsSync(join(shared, 'multipassd.conf'))).to.equal(false);
    });

    it("follows a link its own user (or root) made: starts, and writes the settings through it, atomically, keeping the link", async () => {
      const etc = join(temp.path, 'etc');
      mkdirSync(etc, { mode: 0o755 });
      const target = join(etc, 'multipassd.conf');
      writeFileSync(target, '; kept\n[General]\nlocal.driver=qemu\n');
      const link = join(data, 'multipassd.conf');
      mkdirSync(data, { recursive: true });
      symlinkSync(target, link);
      const inode = statSync(target).ino;
      const fixture = await makeMultipassFixture(join(temp.path, 'mp'));
      const imported = await runDaemonCommand(['import-multipass', ...fixture.importFlags, '--skip-identity', '--data-dir', data]);
      expect(imported.code, imported.stderr).to.equal(0);
      expect(lstatSync(link).isSymbolicLink(), 'the link stays').to.equal(true);
      expect(readFileSync(target, 'utf8')).to.equal(`; kept\n[General]\nlocal.driver=qemu\nlocal.passphrase=${fixture.passphraseHash}\n`);
      expect(statSync(target).ino, 'replaced by rename, not rewritten in place').to.not.equal(inode);
      const running = await startDaemonProcess({ dataDir: data, args: ['--address', `unix:${socket}`] });
      await running.stop();
    });
  });

  it('refuses to start with a link at the socket path, and leaves the link alone', async () => {
    mkdirSync(dirname(socket));
    const bait = baitFile(elsewhere);
    bait.plantAt(socket);
    const result = await start();
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr).to.contain(`'${socket}'`).and.contain('symbolic link');
    expect(readFileSync(socket, 'latin1'), 'the link is still there').to.equal(readFileSync(bait.path, 'latin1'));
    bait.expectUntouched();
  });

  it("refuses to start with a link at the socket's directory", async () => {
    const bait = baitDir(elsewhere);
    bait.plantAt(dirname(socket));
    expectRefusal(await start(), dirname(socket), bait);
  });

  it("refuses to restart once the daemon's server key was swapped for a link to a usable key", async () => {
    const first = await startDaemonProcess({ dataDir: data, args: ['--address', `unix:${socket}`] });
    await first.stop();
    // A usable key pair is reused and its mode restored (0600): that chmod must not go through the link.
    const key = join(data, 'certificate', 'localhost_key.pem');
    const bait = baitFile(elsewhere, 'key.pem', readFileSync(key, 'latin1'));
    rmSync(key);
    bait.plantAt(key);
    expectRefusal(await start(), key, bait);
  });

  it('refuses a link at the trusted certificates file, at start-up and in `multipassd trust add`', async () => {
    const cert = await makeTestCertificate('alice');
    const certFile = join(temp.path, 'alice.pem');
    writeFileSync(certFile, cert.pem);
    expect((await runDaemonCommand(['trust', 'add', certFile, '--data-dir', data])).code).to.equal(0);
    const store = join(data, 'authenticated-certs', 'multipass_client_certs.pem');
    const bait = baitFile(elsewhere, 'certs.pem', readFileSync(store, 'latin1'));
    rmSync(store);
    bait.plantAt(store);
    expectRefusal(await start(), store, bait);
    const other = join(temp.path, 'bob.pem');
    writeFileSync(other, (await makeTestCertificate('bob')).pem);
    expectRefusal(await runDaemonCommand(['trust', 'add', other, '--data-dir', data]), store, bait);
  });

  describe('and with a directory another user could change', () => {
    const untouchedDir = (path: string): Bait => ({ path, plantAt: () => undefined, expectUntouched: () => undefined });

    it('refuses a data directory its group or everyone can write, naming it and the fix', async () => {
      mkdirSync(data);
      chmodSync(data, 0o775);
      expectRefusal(await start(), data, untouchedDir(data), 'chmod go-w');
      expect(existsSync(join(data, 'certificate')), 'nothing written').to.equal(false);
    });

    it('refuses a data directory whose parent everyone can write (and is not sticky like /tmp)', async () => {
      const parent = join(temp.path, 'shared');
      mkdirSync(parent);
      chmodSync(parent, 0o777);
      data = join(parent, 'data');
      expectRefusal(await start(), parent, untouchedDir(parent), `chmod go-w '${parent}'`);
      expect(existsSync(data), 'not even created').to.equal(false);
    });

    it('refuses a data directory owned by another user', async function () {
      if (process.getuid?.() !== 0) {
        console.log('      skipped: giving the data directory to uid 65534 needs root');
        this.skip();
      }
      mkdirSync(data);
      chownSync(data, NOBODY, NOBODY);
      expectRefusal(await start(), data, untouchedDir(data), `chown root '${data}'`);
    });

    it("refuses a socket's directory everyone can write", async () => {
      mkdirSync(dirname(socket));
      chmodSync(dirname(socket), 0o1777);
      expectRefusal(await start(), dirname(socket), untouchedDir(dirname(socket)), '--address');
    });

    it('lets a daemon run by another user (uid 65534) use a directory of its own, not a third user\'s', async function () {
      if (process.getuid?.() !== 0) {
        console.log('      skipped: running multipassd as uid 65534 needs root');
        this.skip();
      }
      chmodSync(temp.path, 0o755);
      mkdirSync(data, { mode: 0o700 });
      chownSync(data, NOBODY, NOBODY);
      const asNobody = () =>
        runToExit(MULTIPASSD_BIN, ['trust', 'list', '--data-dir', data], { env: cleanEnv(), uid: NOBODY, gid: NOBODY });
      const own = await asNobody();
      if (/EACCES|permission denied/i.test(own.stderr) && !own.stderr.includes(data)) {
        console.log('      skipped: uid 65534 cannot read the checkout');
        this.skip();
      }
      expect(own, own.stderr).to.include({ code: 0, stdout: 'No trusted certificates.\n' });
      chownSync(data, 4321, 4321);
      chmodSync(data, 0o755); // readable, so that reading the config file is not what fails
      const theirs = await asNobody();
      expect(theirs.code).to.equal(1);
      expect(theirs.stderr).to.contain(`'${data}'`).and.contain('owned by uid 4321').and.contain(`chown ${NOBODY} '${data}'`);
    });

    it('refuses in the offline admin commands too', async () => {
      mkdirSync(data);
      chmodSync(data, 0o777);
      const result = await runDaemonCommand(['trust', 'list', '--data-dir', data]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain(`the data directory '${data}'`).and.contain('chmod go-w');
    });
  });
});
