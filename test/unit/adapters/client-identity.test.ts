import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { CLIENT_CERT_FILE, CLIENT_KEY_FILE, ensureClientIdentity } from '../../../src/adapters/crypto/client-identity.js';
import { baitFile } from '../../support/bait.js';
import { makeTempDir } from '../../support/temp-dir.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY = 24 * 60 * 60 * 1000;
const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('ensureClientIdentity', () => {
  let temp: { path: string; remove: () => void };
  let dir: string;
  let certPath: string;
  let keyPath: string;

  beforeEach(() => {
    temp = makeTempDir();
    dir = join(temp.path, 'share', 'multipass-client-certificate');
    certPath = join(dir, CLIENT_CERT_FILE);
    keyPath = join(dir, CLIENT_KEY_FILE);
  });
  afterEach(() => temp.remove());

  it('creates a private directory with the certificate and an owner-only key', async () => {
    const identity = await ensureClientIdentity(dir);
    expect(modeOf(dir)).to.equal(0o700);
    expect(modeOf(keyPath)).to.equal(0o600);
    expect(modeOf(certPath)).to.equal(0o644);
    expect(readFileSync(certPath, 'utf8')).to.equal(identity.certPem);
    expect(readFileSync(keyPath, 'utf8')).to.equal(identity.keyPem);
  });

  it('makes a long-lived, self-signed P-256 client certificate for its key', async () => {
    const identity = await ensureClientIdentity(dir);
    const cert = new X509Certificate(identity.certPem);
    expect(cert.verify(cert.publicKey)).to.equal(true);
    expect(cert.checkPrivateKey(createPrivateKey(identity.keyPem))).to.equal(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
    expect(cert.keyUsage).to.deep.equal([CLIENT_AUTH]);
    expect(cert.ca).to.equal(false);
    expect(cert.subject).to.match(/CN=multipass-client-[0-9a-f-]{36}/);
    expect(new Date(cert.validFrom).getTime()).to.be.lessThan(Date.now() - 60 * 60 * 1000);
    expect(new Date(cert.validTo).getTime()).to.be.greaterThan(Date.now() + 10 * 365 * DAY);
  });

  it('reuses the same key pair on later calls', async () => {
    const first = await ensureClientIdentity(dir);
    const second = await ensureClientIdentity(dir);
    expect(second).to.deep.equal(first);
    expect(readFileSync(certPath, 'utf8')).to.equal(first.certPem);
  });

  it('gives every user directory its own identity', async () => {
    const mine = await ensureClientIdentity(dir);
    const theirs = await ensureClientIdentity(join(temp.path, 'other'));
    expect(theirs.certPem).to.not.equal(mine.certPem);
    expect(new X509Certificate(theirs.certPem).subject).to.not.equal(new X509Certificate(mine.certPem).subject);
  });

  it('replaces a pair that is incomplete, corrupt or mismatched', async () => {
    const original = await ensureClientIdentity(dir);

    rmSync(certPath);
    const afterMissingCert = await ensureClientIdentity(dir);
    expect(afterMissingCert.certPem).to.not.equal(original.certPem);

    writeFileSync(keyPath, 'garbage');
    const afterCorruptKey = await ensureClientIdentity(dir);
    expect(afterCorruptKey.keyPem).to.not.equal('garbage');

    const foreign = await ensureClientIdentity(join(temp.path, 'other'));
    writeFileSync(keyPath, foreign.keyPem);
    const afterMismatch = await ensureClientIdentity(dir);
    const cert = new X509Certificate(afterMismatch.certPem);
    expect(cert.checkPrivateKey(createPrivateKey(afterMismatch.keyPem))).to.equal(true);
    expect(readFileSync(keyPath, 'utf8')).to.equal(afterMismatch.keyPem);
    expect(modeOf(keyPath)).to.equal(0o600);
  });

  it('takes read access to the key away from others when reusing it', async () => {
    await ensureClientIdentity(dir);
    chmodSync(keyPath, 0o644);
    await ensureClientIdentity(dir);
    expect(modeOf(keyPath)).to.equal(0o600);
  });

  it('takes read access to the key away from its group too (0640)', async () => {
    await ensureClientIdentity(dir);
    chmodSync(keyPath, 0o640);
    await ensureClientIdentity(dir);
    expect(modeOf(keyPath)).to.equal(0o600);
  });

  it('uses a key reached through a symbolic link but never chmods through the link', async function () {
    if (process.platform === 'win32') this.skip();
    const first = await ensureClientIdentity(dir);
    const elsewhere = join(temp.path, 'elsewhere');
    mkdirSync(elsewhere);
    // Mode 0640: a key file of our own with it would be tightened to 0600.
    const bait = baitFile(elsewhere, 'key.pem', first.keyPem);
    rmSync(keyPath);
    bait.plantAt(keyPath);
    expect(await ensureClientIdentity(dir)).to.deep.equal(first);
    bait.expectUntouched();
  });

  it("keeps working through links the user made to its directory and files (the user's own home)", async function () {
    if (process.platform === 'win32') this.skip();
    const real = join(temp.path, 'dotfiles', 'client');
    mkdirSync(real, { recursive: true });
    mkdirSync(dirname(dir), { recursive: true });
    symlinkSync(real, dir);
    const first = await ensureClientIdentity(dir);
    expect(readFileSync(join(real, CLIENT_KEY_FILE), 'utf8')).to.equal(first.keyPem);
    // A dangling link at the certificate: the new one replaces the link, as a user would expect.
    rmSync(certPath);
    symlinkSync(join(temp.path, 'gone.pem'), certPath);
    const second = await ensureClientIdentity(dir);
    expect(readFileSync(certPath, 'utf8')).to.equal(second.certPem);
  });

  it('loads the certificate library only when it has to make a certificate', async () => {
    await ensureClientIdentity(dir);
    const module = fileURLToPath(new URL('../../../src/adapters/crypto/client-identity.js', import.meta.url));
    const fresh = join(temp.path, 'fresh');
    // A fresh process, since this one has long loaded the library for other tests.
    const script = `
      import { createRequire } from 'node:module';
      const { ensureClientIdentity } = await import(${JSON.stringify(module)});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('@peculiar'));
      await ensureClientIdentity(${JSON.stringify(dir)});
      const onReuse = loaded();
      await ensureClientIdentity(${JSON.stringify(fresh)});
      console.log(JSON.stringify({ onReuse, onCreate: loaded() }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).to.deep.equal({ onReuse: false, onCreate: true });
    expect(existsSync(join(fresh, CLIENT_CERT_FILE))).to.equal(true);
  });
});
