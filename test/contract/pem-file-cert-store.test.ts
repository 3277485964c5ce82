import { expect } from 'chai';
import { certificatesOf } from '../support/fakes/certificates-of.js';
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { appendFileSync, chmodSync, closeSync, existsSync, fstatSync, openSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PemFileCertStore } from '../../src/adapters/stores/pem-file-cert-store.js';
import { pemCertStorePath } from '../../src/app/paths.js';
import { expectAuthError } from '../support/expect-auth-error.js';
import { storeHarness, type StoreHarness } from '../support/store-harness.js';
import { testCertificatePool, type TestCertificate } from '../support/test-certificates.js';
import { certStoreContract } from './cert-store.contract.js';

const makePemFileHarness = storeHarness('mpa-pem-', pemCertStorePath, (path, logger) => new PemFileCertStore(path, logger));
type PemFileHarness = StoreHarness<PemFileCertStore>;

certStoreContract('PemFileCertStore', async () => {
  const harness = await makePemFileHarness();
  return {
    ...harness,
    async plant(certificate) {
      mkdirSync(dirname(harness.filePath), { recursive: true });
      appendFileSync(harness.filePath, certificate.pem);
    },
  };
});

const trusted = (cert: TestCertificate) => ({ fingerprint: cert.fingerprint, pem: cert.pem });
const modeOf = (path: string): number => statSync(path).mode & 0o777;
const isRoot = process.getuid?.() === 0;


describe('PemFileCertStore specifics', () => {
  let harness: PemFileHarness;
  let a: TestCertificate, b: TestCertificate, c: TestCertificate;

  before(async () => {
    [a, b, c] = (await testCertificatePool(3)) as [TestCertificate, TestCertificate, TestCertificate];
  });

  beforeEach(async () => {
    harness = await makePemFileHarness();
  });

  afterEach(async () => {
    await harness.dispose();
  });

  it('creates the file with mode 0600 in directories with mode 0700', async () => {
    const store = await harness.create();
    await store.add(trusted(a));
    expect(modeOf(harness.filePath)).to.equal(0o600);
    expect(modeOf(dirname(harness.filePath))).to.equal(0o700);
    expect(modeOf(dirname(dirname(harness.filePath)))).to.equal(0o700);
  });

  it('writes a plain concatenation of PEM certificates that X509Certificate reads block by block', async () => {
    const store = await harness.create();
    await store.add(trusted(a));
    await store.add(trusted(b));
    const text = readFileSync(harness.filePath, 'ascii');
    expect(text).to.equal(a.pem + b.pem);
    const blocks = text.split(/(?<=-----END CERTIFICATE-----\n)/).filter((block) => block !== '');
    const fingerprints = blocks.map((block) => new X509Certificate(block).fingerprint256.replace(/:/g, '').toLowerCase());
    expect(fingerprints).to.deep.equal([a.fingerprint, b.fingerprint]);
  });

  it('loads a certificate appended by hand, after a reopen or a refresh', async () => {
    const store = await harness.create();
    await store.add(trusted(a));
    appendFileSync(harness.filePath, b.pem);
    expect(store.contains(b.fingerprint)).to.equal(false);
    await store.refresh();
    expect(store.contains(b.fingerprint)).to.equal(true);
    expect((await harness.reopen()).contains(b.fingerprint)).to.equal(true);
  });

  it('reads a hand-made file with CRLF line ends and no final newline, and appends after it on a new line', async () => {
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, a.pem.replace(/\n/g, '\r\n').trimEnd());
    const store = await harness.create();
    expect(store.contains(a.fingerprint)).to.equal(true);
    await store.add(trusted(b));
    expect(readFileSync(harness.filePath, 'ascii')).to.equal(`${a.pem.replace(/\n/g, '\r\n').trimEnd()}\n${b.pem}`);
    expect(certificatesOf(await (await harness.reopen()).list())).to.deep.equal([trusted(a), trusted(b)]);
  });

  it('skips junk text and a corrupt block with a warning naming the file and line, keeping the good certificates', async () => {
    const corrupt = a.pem.replace(/^(-----BEGIN CERTIFICATE-----\n)M/, '$1%');
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, `an admin's note\n${b.pem}${corrupt}\ntrailing junk\n${c.pem}`);
    const store = await harness.create();
    expect(certificatesOf(await store.list())).to.deep.equal([trusted(b), trusted(c)]);
    const warnings = harness.logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).to.have.length(1);
    const corruptLine = 2 + b.pem.split('\n').length - 1;
    expect(warnings[0]?.message).to.contain(harness.filePath).and.to.contain(`line ${corruptLine}: not valid base64`);
    expect(warnings[0]?.fields).to.include({ file: harness.filePath, line: corruptLine, count: 1 });
  });

  it('indexes a file larger than its read chunk, with blocks cut at chunk ends: a corrupt one skipped with its line and kept on write', async () => {
    // The store scans 64 KiB at a time: junk pushes the corrupt block and c across that boundary.
    const corrupt = a.pem.replace(/^(-----BEGIN CERTIFICATE-----\n)M/, '$1%').replace(/\n/g, '\r\n');
    const padding = `# ${'padding '.repeat(8000)}\n${'#'.repeat(64 * 1024 - b.pem.length - 64_003 - 101)}\n`;
    const original = `${b.pem}${padding}${corrupt}${c.pem}`;
    expect(original.indexOf(corrupt)).to.equal(64 * 1024 - 100);
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, Buffer.from(original, 'latin1'));
    const store = await harness.create();
    expect(store.size()).to.equal(2);
    expect(store.contains(b.fingerprint) && store.contains(c.fingerprint)).to.equal(true);
    const corruptLine = original.slice(0, original.indexOf(corrupt)).split('\n').length;
    const warnings = harness.logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).to.have.length(1);
    expect(warnings[0]?.fields).to.include({ line: corruptLine, count: 1 });
    expect(certificatesOf(await store.list())).to.deep.equal([trusted(b), trusted(c)]);
    await store.remove(b.fingerprint);
    expect(readFileSync(harness.filePath).toString('latin1')).to.equal(`${padding}${corrupt}${c.pem}`);
  });

  it('keeps no certificate text in memory: a listing reads it from the file, leaving out what has left it since', async () => {
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, `${a.pem}${b.pem}`);
    const store = await harness.create();
    // Rewritten behind the store's back, with its mtime and size as they were: no refresh notices.
    const before = statSync(harness.filePath);
    writeFileSync(harness.filePath, `${b.pem}${'#'.repeat(a.pem.length)}`);
    utimesSync(harness.filePath, before.atime, before.mtime);
    expect(store.contains(a.fingerprint)).to.equal(true);
    expect(certificatesOf(await store.list())).to.deep.equal([trusted(b)]);
  });

  it('does not re-read the file on refresh while it is unchanged', async () => {
    const corrupt = a.pem.replace(/^(-----BEGIN CERTIFICATE-----\n)M/, '$1%');
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, `${b.pem}${corrupt}`);
    const store = await harness.create();
    const warnings = () => harness.logger.lines.filter((line) => line.level === 'warn').length;
    expect(warnings()).to.equal(1);
    // Each read of this file warns once about its corrupt block: no new warning, no new read.
    for (let i = 0; i < 5; i += 1) await store.refresh();
    expect(warnings()).to.equal(1);
    appendFileSync(harness.filePath, c.pem);
    await store.refresh();
    expect(warnings()).to.equal(2);
    expect(store.contains(c.fingerprint)).to.equal(true);
  });

  it('keeps corrupt blocks and junk text byte for byte when adding and removing', async () => {
    const corrupt = '-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n';
    const original = `# trusted clients \u00e9\xff\n${corrupt}junk between\n${a.pem}`;
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, Buffer.from(original, 'latin1'));
    const store = await harness.create();
    await store.add(trusted(b));
    expect(readFileSync(harness.filePath).toString('latin1')).to.equal(original + b.pem);
    await store.remove(a.fingerprint);
    expect(readFileSync(harness.filePath).toString('latin1')).to.equal(`# trusted clients \u00e9\xff\n${corrupt}junk between\n${b.pem}`);
  });

  it('removes every copy of a certificate that was appended twice', async () => {
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, a.pem + b.pem + a.pem);
    const store = await harness.create();
    expect(certificatesOf(await store.list())).to.deep.equal([trusted(a), trusted(b)]);
    expect(await store.remove(a.fingerprint)).to.equal(true);
    expect(readFileSync(harness.filePath, 'ascii')).to.equal(b.pem);
  });

  it('is not corrupted by the temp file of a write that crashed', async () => {
    const store = await harness.create();
    await store.add(trusted(a));
    const stray = join(dirname(harness.filePath), `.multipass_client_certs.pem.99999.0123456789ab.tmp`);
    writeFileSync(stray, b.pem.slice(0, 100));
    const reopened = await harness.reopen();
    expect(certificatesOf(await reopened.list())).to.deep.equal([trusted(a)]);
    await reopened.add(trusted(c));
    expect(certificatesOf(await (await harness.reopen()).list())).to.deep.equal([trusted(a), trusted(c)]);
    expect(readFileSync(stray, 'ascii')).to.equal(b.pem.slice(0, 100));
  });

  it('rejects a PEM that is not a certificate, or not the one named, with invalid-certificate and writes nothing', async () => {
    const store = await harness.create();
    await expectAuthError(store.add({ fingerprint: a.fingerprint, pem: 'not a certificate' }), 'invalid-certificate');
    await expectAuthError(store.add({ fingerprint: a.fingerprint, pem: b.pem }), 'invalid-certificate');
    await expectAuthError(store.add({ fingerprint: a.fingerprint, pem: a.pem + b.pem }), 'invalid-certificate');
    expect(store.size()).to.equal(0);
    expect(existsSync(harness.filePath)).to.equal(false);
  });

  it('stores a non-canonical PEM in canonical armour', async () => {
    const store = await harness.create();
    await store.add({ fingerprint: a.fingerprint, pem: a.pem.replace(/\n/g, '\r\n') });
    expect(certificatesOf(await store.list())).to.deep.equal([trusted(a)]);
    expect(readFileSync(harness.filePath, 'ascii')).to.equal(a.pem);
  });

  it('rejects add with store-unavailable when the file path is a directory', async () => {
    const store = await harness.create();
    mkdirSync(harness.filePath, { recursive: true });
    const error = await expectAuthError(store.add(trusted(a)), 'store-unavailable');
    expect(error.message).to.contain(harness.filePath);
    expect(store.contains(a.fingerprint)).to.equal(false);
  });

  it('rejects add with store-unavailable when the directory is read-only', async function () {
    if (isRoot) {
      console.log('        skipped: running as root, which ignores file permissions');
      this.skip();
    }
    const store = await harness.create();
    await store.add(trusted(a));
    chmodSync(dirname(harness.filePath), 0o500);
    try {
      await expectAuthError(store.add(trusted(b)), 'store-unavailable');
    } finally {
      chmodSync(dirname(harness.filePath), 0o700);
    }
    expect(readFileSync(harness.filePath, 'ascii')).to.equal(a.pem);
  });

  it('reports a file it cannot read as a fault naming it, rather than starting empty, and clears it once the file is readable', async () => {
    mkdirSync(harness.filePath, { recursive: true });
    const store = await harness.create();
    expect(store.fault()).to.contain(harness.filePath).and.to.contain('cannot be read').and.not.to.contain('trust add');
    rmSync(harness.filePath, { recursive: true });
    writeFileSync(harness.filePath, a.pem);
    await store.refresh();
    expect(store.fault()).to.equal(undefined);
    expect(certificatesOf(await store.list())).to.deep.equal([trusted(a)]);
  });

  describe('damaged files', () => {
    const cases: Record<string, () => string> = {
      'an empty file': () => '',
      'a file of whitespace': () => ' \n\r\n\t\n',
      'a file of junk text only': () => '# trusted clients\n',
      'a file of corrupt blocks only': () => `${a.pem.slice(0, 200)}\n${b.pem.replace(/\n(.)/, '\n%')}`,
    };
    for (const [what, text] of Object.entries(cases)) {
      it(`reports ${what} as a fault naming the file and the ways out, and heals when a certificate is added`, async () => {
        mkdirSync(dirname(harness.filePath), { recursive: true });
        writeFileSync(harness.filePath, text());
        const store = await harness.create();
        const fault = store.fault();
        expect(fault).to.contain(harness.filePath).and.to.contain('restore').and.to.contain('delete it').and.to.contain('multipassd trust add');
        expect(store.size()).to.equal(0);
        await store.add(trusted(c));
        expect(store.fault()).to.equal(undefined);
        expect(readFileSync(harness.filePath, 'latin1'), 'what was there is kept').to.contain(text());
        expect((await harness.reopen()).fault()).to.equal(undefined);
      });
    }

    it('reads 40,000 BEGIN lines without an END in linear time, warning once in one line, and not again while the file is unchanged', async function () {
      this.timeout(10_000);
      mkdirSync(dirname(harness.filePath), { recursive: true });
      writeFileSync(harness.filePath, '-----BEGIN CERTIFICATE-----\n'.repeat(40_000));
      const started = Date.now();
      const store = await harness.create();
      for (let i = 0; i < 20; i += 1) await store.refresh();
      expect(Date.now() - started, 'milliseconds').to.be.below(5000);
      expect(harness.logger.lines, 'one line in all').to.have.length(1);
      const [warning] = harness.logger.lines;
      expect(warning?.level).to.equal('warn');
      expect(warning?.message).to.contain('skipped 40000 corrupt certificate blocks').and.to.contain('and 39997 more');
      expect(warning?.message.length, 'a summary, not a list').to.be.below(500);
      expect(store.fault()).to.contain('no valid certificate');
    });
  });

  it('deletes the file when its last certificate is removed, so that it reopens as a fresh store rather than a damaged one', async () => {
    const store = await harness.create();
    await store.add(trusted(a));
    await store.remove(a.fingerprint);
    expect(existsSync(harness.filePath)).to.equal(false);
    expect(existsSync(dirname(harness.filePath))).to.equal(true);
    expect((await harness.reopen()).fault()).to.equal(undefined);
  });

  it('keeps the file when removing the last certificate leaves other text, which then holds no certificate: a fault', async () => {
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, `# note\n${a.pem}`);
    const store = await harness.create();
    await store.remove(a.fingerprint);
    expect(readFileSync(harness.filePath, 'ascii')).to.equal('# note\n');
    expect(store.fault()).to.contain('no valid certificate');
  });

  it('replaces the file on every add and remove (a new inode), never rewriting it in place', async () => {
    const store = await harness.create();
    // Each version is held open, so its inode cannot be reused and its bytes can be read back.
    const versions: Array<{ fd: number; ino: number; text: string }> = [];
    const hold = () => {
      const fd = openSync(harness.filePath, 'r');
      versions.push({ fd, ino: fstatSync(fd).ino, text: readFileSync(harness.filePath, 'ascii') });
    };
    try {
      await store.add(trusted(a));
      hold();
      await store.add(trusted(b));
      hold();
      await store.remove(a.fingerprint);
      hold();
      expect(new Set(versions.map((version) => version.ino)).size, 'three inodes').to.equal(3);
      for (const { fd, text } of versions) expect(readFileSync(fd, 'ascii'), 'each old version intact').to.equal(text);
      expect(versions.map((version) => version.text)).to.deep.equal([a.pem, a.pem + b.pem, b.pem]);
    } finally {
      for (const { fd } of versions) closeSync(fd);
    }
  });

  describe('with other processes', () => {
    const storeModule = fileURLToPath(new URL('../../src/adapters/stores/pem-file-cert-store.js', import.meta.url));
    const lockPath = () => `${harness.filePath}.lock`;

    function writeLock(pid: number): void {
      mkdirSync(dirname(harness.filePath), { recursive: true });
      writeFileSync(lockPath(), `${pid}\n${hostname()}\n0123456789abcdef\n`);
    }

    it('loses no certificate when several processes add at the same time', async () => {
      const certs = await testCertificatePool(24);
      const perProcess = 6;
      const script = `
        const { PemFileCertStore } = await import(process.argv[1]);
        const quiet = { debug() {}, info() {}, warn() {}, error() {} };
        const store = new PemFileCertStore(process.argv[2], quiet);
        await store.load();
        for (const cert of JSON.parse(process.argv[3])) await store.add(cert);`;
      const runs = [0, 1, 2, 3].map((n) => {
        const batch = certs.slice(n * perProcess, (n + 1) * perProcess).map(trusted);
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, storeModule, harness.filePath, JSON.stringify(batch)], {
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        return new Promise<number | null>((done) => child.on('exit', done));
      });
      expect(await Promise.all(runs)).to.deep.equal([0, 0, 0, 0]);
      const store = await harness.reopen();
      expect(store.size()).to.equal(certs.length);
      for (const cert of certs) expect(store.contains(cert.fingerprint)).to.equal(true);
    });

    it('takes over a lock left by a process that has died', async function () {
      // Without the pid check the lock would only be taken over once it is 30 s old.
      this.timeout(15_000);
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      writeLock(dead);
      const store = await harness.create();
      expect(await store.add(trusted(a))).to.equal(true);
      expect(existsSync(lockPath())).to.equal(false);
    });

    it('takes over a lock that has not been touched for a long time', async function () {
      this.timeout(15_000);
      writeLock(process.ppid);
      const longAgo = new Date(Date.now() - 10 * 60 * 1000);
      utimesSync(lockPath(), longAgo, longAgo);
      const store = await harness.create();
      expect(await store.add(trusted(a))).to.equal(true);
    });

    it('waits for a lock held by a live process and proceeds once it is released', async () => {
      const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      try {
        writeLock(holder.pid as number);
        const store = await harness.create();
        let settled = false;
        const adding = store.add(trusted(a)).finally(() => (settled = true));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(settled).to.equal(false);
        expect(existsSync(harness.filePath)).to.equal(false);
        unlinkSync(lockPath());
        expect(await adding).to.equal(true);
        expect(readFileSync(harness.filePath, 'ascii')).to.equal(a.pem);
      } finally {
        holder.kill();
      }
    });
  });
});
