import { expect } from 'chai';
import type { Fingerprint } from '../../src/domain/fingerprint.js';
import type { CertStore } from '../../src/ports/cert-store.js';
import { testCertificatePool, type TestCertificate } from '../support/test-certificates.js';

/** One case's view of an adapter: fresh backing data per harness. */
export interface CertStoreHarness {
  /** A new, loaded store over fresh backing data. */
  create(): Promise<CertStore>;
  /** A new, loaded instance over the same backing data as `create`, as after a restart. */
  reopen(): Promise<CertStore>;
  /**
   * Damages the backing data so that it exists but is not a store (for files: zero bytes, as
   * a truncation leaves them), in a way `add` can write over. Called before `create`.
   */
  corrupt(): Promise<void>;
  /** Deletes the backing data, as an admin starting afresh would. */
  erase(): Promise<void>;
  /** Closes every instance and removes the backing data. */
  dispose(): Promise<void>;
}

const MANY = 500;
const UNKNOWN = 'f'.repeat(64) as Fingerprint;

const trusted = (cert: TestCertificate) => ({ fingerprint: cert.fingerprint, pem: cert.pem });

/**
 * What every CertStore must do (src/ports/cert-store.ts). Run once per adapter, each case on a
 * fresh harness. Certificates are real EC P-256 certificates in canonical PEM armour.
 */
export function certStoreContract(name: string, makeHarness: () => Promise<CertStoreHarness>): void {
  describe(`${name} (CertStore contract)`, () => {
    let harness: CertStoreHarness;
    let certs: readonly TestCertificate[];
    let a: TestCertificate, b: TestCertificate, c: TestCertificate;

    before(async () => {
      certs = await testCertificatePool(MANY);
      [a, b, c] = certs as [TestCertificate, TestCertificate, TestCertificate];
    });

    beforeEach(async () => {
      harness = await makeHarness();
    });

    afterEach(async () => {
      await harness.dispose();
    });

    it('is empty after creation', async () => {
      const store = await harness.create();
      expect(store.size()).to.equal(0);
      expect(await store.list()).to.deep.equal([]);
    });

    it('contains a certificate once it is added', async () => {
      const store = await harness.create();
      expect(await store.add(trusted(a))).to.equal(true);
      expect(store.contains(a.fingerprint)).to.equal(true);
      expect(store.size()).to.equal(1);
    });

    it('treats a second add of the same certificate as a no-op that resolves false', async () => {
      const store = await harness.create();
      await store.add(trusted(a));
      expect(await store.add(trusted(a))).to.equal(false);
      expect(store.size()).to.equal(1);
      expect(await store.list()).to.have.length(1);
    });

    it('adds many at once with addAll, counting only those not trusted before', async () => {
      const store = await harness.create();
      await store.add(trusted(b));
      expect(await store.addAll([a, b, c, a].map(trusted))).to.equal(2);
      expect(await store.list()).to.deep.equal([trusted(b), trusted(a), trusted(c)]);
      expect(await (await harness.reopen()).list()).to.deep.equal([trusted(b), trusted(a), trusted(c)]);
    });

    it('treats addAll of nothing, or of certificates all trusted already, as a no-op that resolves 0', async () => {
      const store = await harness.create();
      expect(await store.addAll([])).to.equal(0);
      await store.add(trusted(a));
      expect(await store.addAll([trusted(a)])).to.equal(0);
      expect(await store.list()).to.deep.equal([trusted(a)]);
    });

    it('does not contain a fingerprint that was never added', async () => {
      const store = await harness.create();
      await store.add(trusted(a));
      expect(store.contains(b.fingerprint)).to.equal(false);
      expect(store.contains(UNKNOWN)).to.equal(false);
    });

    it('lists certificates in the order they were added, with the PEM they were given', async () => {
      const store = await harness.create();
      for (const cert of [b, c, a]) await store.add(trusted(cert));
      expect(await store.list()).to.deep.equal([trusted(b), trusted(c), trusted(a)]);
    });

    it('forgets a removed certificate, also after reopening', async () => {
      const store = await harness.create();
      await store.add(trusted(a));
      await store.add(trusted(b));
      expect(await store.remove(a.fingerprint)).to.equal(true);
      expect(store.contains(a.fingerprint)).to.equal(false);
      expect(store.size()).to.equal(1);
      const reopened = await harness.reopen();
      expect(reopened.contains(a.fingerprint)).to.equal(false);
      expect(await reopened.list()).to.deep.equal([trusted(b)]);
    });

    it('resolves false when removing a certificate that is not trusted, changing nothing', async () => {
      const store = await harness.create();
      await store.add(trusted(a));
      expect(await store.remove(b.fingerprint)).to.equal(false);
      expect(await store.list()).to.deep.equal([trusted(a)]);
    });

    it('keeps its certificates across a reopen', async () => {
      const store = await harness.create();
      await store.add(trusted(a));
      await store.add(trusted(b));
      const reopened = await harness.reopen();
      expect(reopened.contains(a.fingerprint)).to.equal(true);
      expect(reopened.contains(b.fingerprint)).to.equal(true);
      expect(reopened.size()).to.equal(2);
      expect(await reopened.list()).to.deep.equal([trusted(a), trusted(b)]);
    });

    it("sees another instance's add after refresh", async () => {
      const first = await harness.create();
      const second = await harness.reopen();
      await second.add(trusted(a));
      await first.refresh();
      expect(first.contains(a.fingerprint)).to.equal(true);
      expect(first.size()).to.equal(1);
    });

    it("keeps another instance's certificates when adding its own", async () => {
      const first = await harness.create();
      const second = await harness.reopen();
      await second.add(trusted(a));
      await first.add(trusted(b));
      expect(first.contains(a.fingerprint)).to.equal(true);
      const reopened = await harness.reopen();
      expect(await reopened.list()).to.deep.equal([trusted(a), trusted(b)]);
    });

    it("does not bring back a certificate another instance removed when adding", async () => {
      const first = await harness.create();
      await first.add(trusted(a));
      const second = await harness.reopen();
      await second.remove(a.fingerprint);
      await first.add(trusted(b));
      const reopened = await harness.reopen();
      expect(reopened.contains(a.fingerprint)).to.equal(false);
      expect(reopened.contains(b.fingerprint)).to.equal(true);
    });

    it('loses nothing when two instances add different certificates at the same time', async () => {
      const first = await harness.create();
      const second = await harness.reopen();
      const batch = certs.slice(0, 20);
      await Promise.all(batch.map((cert, i) => (i % 2 === 0 ? first : second).add(trusted(cert))));
      const reopened = await harness.reopen();
      expect(reopened.size()).to.equal(batch.length);
      for (const cert of batch) expect(reopened.contains(cert.fingerprint), cert.fingerprint).to.equal(true);
    });

    it('is not faulted when new, nor once its last certificate is removed, also after a reopen', async () => {
      const store = await harness.create();
      expect(store.fault()).to.equal(undefined);
      await store.add(trusted(a));
      await store.remove(a.fingerprint);
      expect(store.fault()).to.equal(undefined);
      await store.refresh();
      expect(store.fault(), 'after refresh').to.equal(undefined);
      const reopened = await harness.reopen();
      expect(reopened.fault(), 'emptied is not damaged').to.equal(undefined);
      expect(reopened.size()).to.equal(0);
    });

    it('reports a fault, and trusts nobody, over backing data that exists but is damaged', async () => {
      await harness.corrupt();
      const store = await harness.create();
      expect(store.fault()).to.be.a('string').and.not.equal('');
      expect(store.size()).to.equal(0);
      expect(store.contains(a.fingerprint)).to.equal(false);
      expect(await store.list()).to.deep.equal([]);
      await store.refresh();
      expect(store.fault(), 'refresh of the unchanged data').to.be.a('string');
    });

    it('clears the fault when a certificate is added, and keeps that certificate across a reopen', async () => {
      await harness.corrupt();
      const store = await harness.create();
      expect(await store.add(trusted(a))).to.equal(true);
      expect(store.fault()).to.equal(undefined);
      expect(store.contains(a.fingerprint)).to.equal(true);
      const reopened = await harness.reopen();
      expect(reopened.fault()).to.equal(undefined);
      expect(await reopened.list()).to.deep.equal([trusted(a)]);
    });

    it("clears the fault at refresh once another instance has added a certificate", async () => {
      await harness.corrupt();
      const first = await harness.create();
      const second = await harness.reopen();
      await second.add(trusted(a));
      await first.refresh();
      expect(first.fault()).to.equal(undefined);
      expect(first.contains(a.fingerprint)).to.equal(true);
    });

    it('clears the fault at refresh once the backing data is deleted, and is then an empty store', async () => {
      await harness.corrupt();
      const store = await harness.create();
      await harness.erase();
      await store.refresh();
      expect(store.fault()).to.equal(undefined);
      expect(store.size()).to.equal(0);
      await store.add(trusted(b));
      expect(await (await harness.reopen()).list()).to.deep.equal([trusted(b)]);
    });

    it(`round-trips ${MANY} certificates`, async () => {
      const store = await harness.create();
      // One by one for a start, then in bulk: each add rewrites the store durably.
      for (const cert of certs.slice(0, 50)) await store.add(trusted(cert));
      expect(await store.addAll(certs.map(trusted))).to.equal(MANY - 50);
      const reopened = await harness.reopen();
      expect(reopened.size()).to.equal(MANY);
      expect(await reopened.list()).to.deep.equal(certs.map(trusted));
    });
  });
}
