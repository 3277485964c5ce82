import { expect } from 'chai';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileSignature } from '../../src/adapters/fs/file-signature.js';
import { decode, encode, fingerprintCachePath } from '../../src/adapters/stores/pem-fingerprint-cache.js';
import { PemFileCertStore } from '../../src/adapters/stores/pem-file-cert-store.js';
import { pemCertStorePath } from '../../src/app/paths.js';
import type { Fingerprint } from '../../src/domain/fingerprint.js';
import { storeHarness, type StoreHarness } from '../support/store-harness.js';
import { testCertificatePool, type TestCertificate } from '../support/test-certificates.js';

const makeHarness = storeHarness('mpa-pemidx-', pemCertStorePath, (path, logger) => new PemFileCertStore(path, logger));

/*
 * The fingerprint index a restart reads instead of scanning the bundle. What matters is that it
 * is never believed when it could be wrong: each case plants a cache naming a certificate the
 * bundle does not hold (so a store that believed it would trust that certificate) and checks
 * the store trusts exactly the bundle, then that the cache was rebuilt from the bundle.
 */
describe('PemFileCertStore fingerprint index cache', () => {
  let harness: StoreHarness<PemFileCertStore>;
  let cachePath: string;
  let a: TestCertificate, b: TestCertificate, c: TestCertificate;

  before(async () => {
    [a, b, c] = (await testCertificatePool(3)) as [TestCertificate, TestCertificate, TestCertificate];
  });

  beforeEach(async () => {
    harness = await makeHarness();
    cachePath = fingerprintCachePath(harness.filePath);
    mkdirSync(dirname(harness.filePath), { recursive: true, mode: 0o700 });
    writeFileSync(harness.filePath, a.pem + b.pem, { mode: 0o600 });
  });

  afterEach(async () => {
    await harness.dispose();
  });

  const signature = async () => (await fileSignature(harness.filePath))!;
  /** A cache that matches the bundle as it is now but says `fingerprints` are in it. */
  const plantCache = async (fingerprints: readonly string[], mode = 0o600) => {
    writeFileSync(cachePath, encode(await signature(), new Set(fingerprints as Fingerprint[])), { mode });
    chmodSync(cachePath, mode);
  };
  const cachedIndex = async () => decode(readFileSync(cachePath), await signature());
  const openAndClose = async () => {
    const store = await harness.open();
    const trusted = { a: store.contains(a.fingerprint), b: store.contains(b.fingerprint), c: store.contains(c.fingerprint), size: store.size() };
    await store.close();
    return trusted;
  };

  it('writes multipass_client_certs.index next to the bundle, mode 0600, with the bundle\'s fingerprints in order', async () => {
    expect(cachePath).to.equal(join(dirname(harness.filePath), 'multipass_client_certs.index'));
    await openAndClose();
    expect(statSync(cachePath).mode & 0o777).to.equal(0o600);
    expect([...((await cachedIndex()) ?? [])]).to.deep.equal([a.fingerprint, b.fingerprint]);
  });

  it('reads a cache that matches the bundle instead of scanning it', async () => {
    // Proof that it is read: a matching cache is believed, so here it decides (a case the
    // daemon never writes: the cache is always what the bundle holds).
    await plantCache([a.fingerprint, c.fingerprint]);
    expect(await openAndClose()).to.deep.equal({ a: true, b: false, c: true, size: 2 });
  });

  it('ignores a cache of an earlier bundle (appended to by hand) and rebuilds it', async () => {
    await plantCache([a.fingerprint, b.fingerprint]);
    appendFileSync(harness.filePath, c.pem);
    expect(await openAndClose()).to.deep.equal({ a: true, b: true, c: true, size: 3 });
    expect([...((await cachedIndex()) ?? [])]).to.deep.equal([a.fingerprint, b.fingerprint, c.fingerprint]);
  });

  it('ignores a cache of an earlier bundle of the same size (same-size edit: mtime and ctime differ)', async () => {
    await plantCache([a.fingerprint, c.fingerprint]);
    writeFileSync(harness.filePath, a.pem + b.pem);
    expect(await openAndClose()).to.deep.equal({ a: true, b: true, c: false, size: 2 });
  });

  for (const [name, damage] of [
    ['one flipped byte', (bytes: Buffer) => (bytes[bytes.length - 40]! ^= 1, bytes)],
    ['torn (cut short)', (bytes: Buffer) => bytes.subarray(0, bytes.length - 20)],
    ['empty', () => Buffer.alloc(0)],
    ['not a cache at all', () => Buffer.from('garbage\n')],
  ] as const) {
    it(`ignores a corrupt cache (${name}) and rebuilds it`, async () => {
      await plantCache([a.fingerprint, c.fingerprint]);
      writeFileSync(cachePath, damage(readFileSync(cachePath)));
      expect(await openAndClose()).to.deep.equal({ a: true, b: true, c: false, size: 2 });
      expect([...((await cachedIndex()) ?? [])]).to.deep.equal([a.fingerprint, b.fingerprint]);
    });
  }

  it('ignores a cache others may write (group or world writable)', async () => {
    await plantCache([a.fingerprint, c.fingerprint], 0o666);
    expect(await openAndClose()).to.deep.equal({ a: true, b: true, c: false, size: 2 });
  });

  it('never follows a link planted at the cache, and leaves its target alone', async () => {
    const elsewhere = join(dirname(harness.filePath), '..', 'elsewhere.index');
    writeFileSync(elsewhere, encode(await signature(), new Set([a.fingerprint, c.fingerprint])), { mode: 0o600 });
    symlinkSync(elsewhere, cachePath);
    const before = readFileSync(elsewhere);
    expect(await openAndClose()).to.deep.equal({ a: true, b: true, c: false, size: 2 });
    expect(readFileSync(elsewhere).equals(before), 'target untouched').to.equal(true);
  });

  it('caches nothing for a bundle with a corrupt block, which warns at every start as before', async () => {
    const corrupt = c.pem.replace(/^(-----BEGIN CERTIFICATE-----\n)M/, '$1%');
    writeFileSync(harness.filePath, a.pem + corrupt);
    await openAndClose();
    expect(existsSync(cachePath)).to.equal(false);
    await openAndClose();
    expect(harness.logger.lines.filter((line) => line.level === 'warn')).to.have.length(2);
  });

  it('is not believed once the bundle is gone: a missing bundle is an empty store', async () => {
    await openAndClose();
    rmSync(harness.filePath);
    expect(await openAndClose()).to.deep.equal({ a: false, b: false, c: false, size: 0 });
  });

  it('a refresh after another process rewrote the bundle reads the bundle, not the cache', async () => {
    const store = await harness.open();
    const other = await harness.open();
    await other.remove(a.fingerprint);
    await store.refresh();
    expect(store.contains(a.fingerprint)).to.equal(false);
    expect(store.size()).to.equal(1);
  });
});
