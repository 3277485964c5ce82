import { expect } from 'chai';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dirname } from 'node:path';
import { PemFileCertStore, provenanceSidecarPath } from '../../src/adapters/stores/pem-file-cert-store.js';
import { pemCertStorePath } from '../../src/app/paths.js';
import type { Provenance } from '../../src/domain/trust-record.js';
import { expectAuthError } from '../support/expect-auth-error.js';
import { storeHarness, type StoreHarness } from '../support/store-harness.js';
import { testCertificatePool, type TestCertificate } from '../support/test-certificates.js';

const makeHarness = storeHarness('mpa-pemrec-', pemCertStorePath, (path, logger) => new PemFileCertStore(path, logger));

const trusted = (cert: TestCertificate) => ({ fingerprint: cert.fingerprint, pem: cert.pem });
const T0 = new Date('2026-01-10T09:00:00.000Z');
const BY_TOKEN: Provenance = { via: 'token', at: T0, uid: 1000, user: 'alice', label: 'laptop' };

describe('PemFileCertStore records (the sidecar file)', () => {
  let harness: StoreHarness<PemFileCertStore>;
  let sidecar: string;
  let a: TestCertificate, b: TestCertificate, c: TestCertificate;

  before(async () => {
    [a, b, c] = (await testCertificatePool(3)) as [TestCertificate, TestCertificate, TestCertificate];
  });

  beforeEach(async () => {
    harness = await makeHarness();
    sidecar = provenanceSidecarPath(harness.filePath);
  });

  afterEach(async () => {
    await harness.dispose();
  });

  const sidecarJson = () => JSON.parse(readFileSync(sidecar, 'utf8')) as { certificates: Record<string, Record<string, unknown>> };
  const warnings = () => harness.logger.lines.filter((line) => line.level === 'warn');

  it('keeps the records next to the bundle, in multipass_client_certs.meta.json, mode 0600, keyed by fingerprint', async () => {
    expect(sidecar).to.equal(harness.filePath.replace(/multipass_client_certs\.pem$/, 'multipass_client_certs.meta.json'));
    const store = await harness.create();
    await store.add(trusted(a), BY_TOKEN);
    await store.recordSeen(new Map([[a.fingerprint, new Date('2026-01-10T10:00:00.000Z')]]));
    expect(statSync(sidecar).mode & 0o777).to.equal(0o600);
    expect(sidecarJson().certificates).to.deep.equal({
      [a.fingerprint]: { via: 'token', at: T0.toISOString(), uid: 1000, user: 'alice', label: 'laptop', last_seen: '2026-01-10T10:00:00.000Z' },
    });
  });

  it("leaves the bundle exactly Multipass's format: records, labels and last-seen times never touch it", async () => {
    const store = await harness.create();
    await store.add(trusted(a), BY_TOKEN);
    await store.add(trusted(b), { via: 'admin', at: T0, label: 'ci' });
    const bundle = readFileSync(harness.filePath);
    const { mtimeMs } = statSync(harness.filePath);
    await store.setLabel(a.fingerprint, 'renamed');
    await store.recordSeen(new Map([[b.fingerprint, new Date()]]));
    expect(readFileSync(harness.filePath, 'ascii')).to.equal(a.pem + b.pem);
    expect(readFileSync(harness.filePath).equals(bundle)).to.equal(true);
    expect(statSync(harness.filePath).mtimeMs, 'not even rewritten').to.equal(mtimeMs);
    appendFileSync(harness.filePath, c.pem);
    await store.refresh();
    expect(store.contains(c.fingerprint), 'still appendable by hand').to.equal(true);
  });

  it("dates a certificate appended by hand by the bundle's mtime, and records it so at the next write", async () => {
    const store = await harness.create();
    await store.add(trusted(a), BY_TOKEN);
    appendFileSync(harness.filePath, b.pem);
    const appendedAt = new Date('2026-01-05T08:00:00.000Z');
    utimesSync(harness.filePath, appendedAt, appendedAt);
    await store.refresh();
    const listed = (await store.list()).find((record) => record.fingerprint === b.fingerprint);
    expect(listed?.provenance).to.deep.equal({ via: 'file', at: appendedAt });
    await store.add(trusted(c), BY_TOKEN);
    expect(sidecarJson().certificates[b.fingerprint]).to.deep.equal({ via: 'file', at: appendedAt.toISOString() });
    const reopened = (await (await harness.reopen()).list()).find((record) => record.fingerprint === b.fingerprint);
    expect(reopened?.provenance, 'no longer moves with the file').to.deep.equal({ via: 'file', at: appendedAt });
  });

  it('drops the record of a certificate removed from the bundle by hand at the next write', async () => {
    const store = await harness.create();
    await store.addAll([trusted(a), trusted(b)], BY_TOKEN);
    writeFileSync(harness.filePath, b.pem);
    await store.refresh();
    await store.setLabel(b.fingerprint, 'kept');
    expect(Object.keys(sidecarJson().certificates)).to.deep.equal([b.fingerprint]);
    appendFileSync(harness.filePath, a.pem);
    await store.refresh();
    const again = (await store.list()).find((record) => record.fingerprint === a.fingerprint);
    expect(again?.provenance.via, 'appended again by hand: no stale record').to.equal('file');
  });

  it('deletes the sidecar with the bundle when the last certificate is removed', async () => {
    const store = await harness.create();
    await store.add(trusted(a), BY_TOKEN);
    await store.remove(a.fingerprint);
    expect(existsSync(harness.filePath)).to.equal(false);
    expect(existsSync(sidecar)).to.equal(false);
  });

  for (const [what, text] of [
    ['not JSON', '{"certificates": {'],
    ['JSON of the wrong shape', '[1, 2, 3]\n'],
  ] as const) {
    it(`treats a sidecar that is ${what} as a warning: every certificate stays trusted, shown as file, and the next write moves it aside`, async () => {
      const store = await harness.create();
      await store.addAll([trusted(a), trusted(b)], BY_TOKEN);
      writeFileSync(sidecar, text);
      const reopened = await harness.reopen();
      expect(reopened.size()).to.equal(2);
      const listed = await reopened.list();
      expect(listed.map((record) => record.provenance.via)).to.deep.equal(['file', 'file']);
      await reopened.list();
      expect(warnings(), 'one warning for the unchanged file').to.have.length(1);
      expect(warnings()[0]?.message).to.contain(sidecar).and.to.contain('still trusted');
      await reopened.add(trusted(c), BY_TOKEN);
      expect(readFileSync(`${sidecar}.damaged`, 'utf8'), 'kept for the admin').to.equal(text);
      expect(Object.keys(sidecarJson().certificates)).to.deep.equal([a.fingerprint, b.fingerprint, c.fingerprint]);
      expect((await (await harness.reopen()).list()).map((record) => record.provenance.via)).to.deep.equal(['file', 'file', 'token']);
    });
  }

  it('keeps the readable entries of a sidecar with one bad entry, warning about it', async () => {
    const store = await harness.create();
    await store.addAll([trusted(a), trusted(b)], BY_TOKEN);
    const document = sidecarJson();
    document.certificates[b.fingerprint] = { via: 'telepathy', at: 'yesterday' };
    writeFileSync(sidecar, JSON.stringify(document));
    const listed = await (await harness.reopen()).list();
    expect(listed.map((record) => record.provenance.via)).to.deep.equal(['token', 'file']);
    expect(warnings()[0]?.message).to.contain('1 entry it cannot read');
  });

  it('still adds and removes certificates when the sidecar cannot be written, with a warning; a label change fails', async () => {
    const store = await harness.create();
    await store.add(trusted(a), BY_TOKEN);
    // A directory where the sidecar belongs, and one full where it would be moved aside: it
    // can be neither read nor replaced.
    rmSync(sidecar);
    mkdirSync(sidecar);
    mkdirSync(join(`${sidecar}.damaged`, 'full'), { recursive: true });
    expect(await store.add(trusted(b), BY_TOKEN)).to.equal(true);
    expect(await store.remove(a.fingerprint)).to.equal(true);
    expect(readFileSync(harness.filePath, 'ascii')).to.equal(b.pem);
    expect(warnings().some((line) => line.message.includes('cannot write the trust records file'))).to.equal(true);
    await expectAuthError(store.setLabel(b.fingerprint, 'x'), 'store-unavailable');
    expect((await (await harness.reopen()).list()).map((record) => record.fingerprint)).to.deep.equal([b.fingerprint]);
  });

  it('reads a record whose certificate is not in the bundle as nothing', async () => {
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, a.pem);
    writeFileSync(sidecar, JSON.stringify({ certificates: { [b.fingerprint]: { via: 'admin', at: T0.toISOString() } } }));
    const store = await harness.create();
    expect(store.contains(b.fingerprint)).to.equal(false);
    expect((await store.list()).map((record) => [record.fingerprint, record.provenance.via])).to.deep.equal([[a.fingerprint, 'file']]);
  });
});
