import { expect } from 'chai';
import { certificatesOf } from '../support/fakes/certificates-of.js';
import type { Fingerprint } from '../../src/domain/fingerprint.js';
import type { TrustedCertificate } from '../../src/domain/trusted-certificate.js';
import type { Provenance, TrustRecord } from '../../src/domain/trust-record.js';
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
  /**
   * Puts a certificate into the backing data behind the store's back, with no record of how
   * it got there: appended by hand to the PEM file, inserted with the sqlite3 shell, written
   * by Multipass. The store sees it at its next refresh.
   */
  plant(certificate: TrustedCertificate): Promise<void>;
  /** Closes every instance and removes the backing data. */
  dispose(): Promise<void>;
}

const MANY = 500;
const UNKNOWN = 'f'.repeat(64) as Fingerprint;

const trusted = (cert: TestCertificate) => ({ fingerprint: cert.fingerprint, pem: cert.pem });
const MINUTE = 60_000;
const T0 = new Date('2026-01-10T09:00:00.000Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);
const BY_TOKEN: Provenance = { via: 'token', at: T0, uid: 1000, user: 'alice', label: "alice's laptop" };
const recordOf = async (store: CertStore, cert: TestCertificate): Promise<TrustRecord | undefined> =>
  (await store.list()).find((record) => record.fingerprint === cert.fingerprint);

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
      expect(certificatesOf(await store.list())).to.deep.equal([]);
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
      expect(certificatesOf(await store.list())).to.deep.equal([trusted(b), trusted(a), trusted(c)]);
      expect(certificatesOf(await (await harness.reopen()).list())).to.deep.equal([trusted(b), trusted(a), trusted(c)]);
    });

    it('treats addAll of nothing, or of certificates all trusted already, as a no-op that resolves 0', async () => {
      const store = await harness.create();
      expect(await store.addAll([])).to.equal(0);
      await store.add(trusted(a));
      expect(await store.addAll([trusted(a)])).to.equal(0);
      expect(certificatesOf(await store.list())).to.deep.equal([trusted(a)]);
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
      expect(certificatesOf(await store.list())).to.deep.equal([trusted(b), trusted(c), trusted(a)]);
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
      expect(certificatesOf(await reopened.list())).to.deep.equal([trusted(b)]);
    });

    it('resolves false when removing a certificate that is not trusted, changing nothing', async () => {
      const store = await harness.create();
      await store.add(trusted(a));
      expect(await store.remove(b.fingerprint)).to.equal(false);
      expect(certificatesOf(await store.list())).to.deep.equal([trusted(a)]);
    });

    it('keeps its certificates across a reopen', async () => {
      const store = await harness.create();
      await store.add(trusted(a));
      await store.add(trusted(b));
      const reopened = await harness.reopen();
      expect(reopened.contains(a.fingerprint)).to.equal(true);
      expect(reopened.contains(b.fingerprint)).to.equal(true);
      expect(reopened.size()).to.equal(2);
      expect(certificatesOf(await reopened.list())).to.deep.equal([trusted(a), trusted(b)]);
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
      expect(certificatesOf(await reopened.list())).to.deep.equal([trusted(a), trusted(b)]);
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
      expect(certificatesOf(await store.list())).to.deep.equal([]);
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
      expect(certificatesOf(await reopened.list())).to.deep.equal([trusted(a)]);
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
      expect(certificatesOf(await (await harness.reopen()).list())).to.deep.equal([trusted(b)]);
    });

    describe('records (how each certificate got in, its label, when it was last seen)', () => {
      it('keeps the provenance a certificate was added with, across a reopen', async () => {
        const store = await harness.create();
        await store.add(trusted(a), BY_TOKEN);
        await store.add(trusted(b), { via: 'admin', at: later(1) });
        const expected = [
          { ...trusted(a), provenance: BY_TOKEN },
          { ...trusted(b), provenance: { via: 'admin', at: later(1) } },
        ];
        expect(await store.list()).to.deep.equal(expected);
        expect(await (await harness.reopen()).list()).to.deep.equal(expected);
      });

      it("records a certificate added without provenance as 'file', trusted about now", async () => {
        const store = await harness.create();
        const before = Date.now();
        await store.add(trusted(a));
        const record = await recordOf(await harness.reopen(), a);
        expect(record?.provenance.via).to.equal('file');
        expect(record?.provenance.at.getTime()).to.be.within(before - 2000, Date.now() + 1000);
        expect(record?.lastSeen).to.equal(undefined);
      });

      it("lists a certificate that got into the backing data behind the store's back as 'file', after a refresh and a reopen", async () => {
        const store = await harness.create();
        await store.add(trusted(a), BY_TOKEN);
        await harness.plant(trusted(b));
        await store.refresh();
        expect(store.contains(b.fingerprint)).to.equal(true);
        expect((await recordOf(store, b))?.provenance.via).to.equal('file');
        expect((await recordOf(await harness.reopen(), b))?.provenance.via).to.equal('file');
        expect((await recordOf(store, a))?.provenance, 'the others keep theirs').to.deep.equal(BY_TOKEN);
        await store.add(trusted(c), BY_TOKEN);
        expect((await recordOf(await harness.reopen(), b))?.provenance.via, 'still file after a write').to.equal('file');
      });

      it('leaves the record alone when a trusted certificate is added again', async () => {
        const store = await harness.create();
        await store.add(trusted(a), BY_TOKEN);
        expect(await store.add(trusted(a), { via: 'admin', at: later(5), label: 'other' })).to.equal(false);
        expect((await recordOf(await harness.reopen(), a))?.provenance).to.deep.equal(BY_TOKEN);
      });

      it('gives a certificate removed and trusted again its new record, not the old one', async () => {
        const store = await harness.create();
        await store.add(trusted(a), BY_TOKEN);
        await store.add(trusted(b));
        await store.recordSeen(new Map([[a.fingerprint, later(3)]]));
        await store.remove(a.fingerprint);
        await store.add(trusted(a), { via: 'admin', at: later(10) });
        const record = await recordOf(await harness.reopen(), a);
        expect(record?.provenance).to.deep.equal({ via: 'admin', at: later(10) });
        expect(record?.lastSeen).to.equal(undefined);
      });

      it('keeps the records certificates carry into addAll (a migration), last seen included', async () => {
        const store = await harness.create();
        const carried = [
          { ...trusted(a), provenance: BY_TOKEN, lastSeen: later(7) },
          { ...trusted(b), provenance: { via: 'bootstrap' as const, at: later(1), uid: 0, user: 'root' } },
        ];
        expect(await store.addAll([...carried, trusted(c)], { via: 'import', at: later(2) })).to.equal(3);
        expect(await (await harness.reopen()).list()).to.deep.equal([...carried, { ...trusted(c), provenance: { via: 'import', at: later(2) } }]);
      });

      it('sets, replaces and clears a label, across a reopen, and answers false for a certificate it does not trust', async () => {
        const store = await harness.create();
        await store.add(trusted(a), { via: 'admin', at: T0 });
        expect(await store.setLabel(a.fingerprint, 'build server')).to.equal(true);
        expect((await recordOf(await harness.reopen(), a))?.provenance).to.deep.equal({ via: 'admin', at: T0, label: 'build server' });
        expect(await store.setLabel(a.fingerprint, 'ci')).to.equal(true);
        expect((await recordOf(await harness.reopen(), a))?.provenance.label).to.equal('ci');
        expect(await store.setLabel(a.fingerprint, undefined)).to.equal(true);
        expect((await recordOf(await harness.reopen(), a))?.provenance).to.deep.equal({ via: 'admin', at: T0 });
        expect(await store.setLabel(b.fingerprint, 'nobody')).to.equal(false);
        expect(await (await harness.reopen()).list()).to.have.length(1);
      });

      it('stores a label on one line, trimmed, with no control characters; an empty label is none', async () => {
        const store = await harness.create();
        await store.add(trusted(a), { via: 'admin', at: T0, label: '  two\nlines\u0007 ' });
        expect((await recordOf(store, a))?.provenance.label).to.equal('two lines');
        await store.setLabel(a.fingerprint, '  ');
        expect((await recordOf(await harness.reopen(), a))?.provenance).to.deep.equal({ via: 'admin', at: T0 });
      });

      it('labels a certificate found without a record, which stays file', async () => {
        const store = await harness.create();
        await harness.plant(trusted(a));
        await store.refresh();
        expect(await store.setLabel(a.fingerprint, 'found')).to.equal(true);
        const record = await recordOf(await harness.reopen(), a);
        expect(record?.provenance).to.include({ via: 'file', label: 'found' });
      });

      it('records last-seen times in one call, only ever moving them forward, across a reopen', async () => {
        const store = await harness.create();
        await store.addAll([trusted(a), trusted(b)], { via: 'admin', at: T0 });
        await store.recordSeen(new Map([[a.fingerprint, later(5)], [b.fingerprint, later(6)]]));
        await store.recordSeen(new Map([[a.fingerprint, later(2)]]));
        await store.recordSeen(new Map([[b.fingerprint, later(9)]]));
        const records = await (await harness.reopen()).list();
        expect(records.map((record) => record.lastSeen)).to.deep.equal([later(5), later(9)]);
        expect(records.map((record) => record.provenance)).to.deep.equal([{ via: 'admin', at: T0 }, { via: 'admin', at: T0 }]);
      });

      it('ignores last-seen times of certificates it does not trust, and an empty batch', async () => {
        const store = await harness.create();
        await store.add(trusted(a), BY_TOKEN);
        await store.recordSeen(new Map());
        await store.recordSeen(new Map([[b.fingerprint, later(1)], [UNKNOWN, later(1)]]));
        expect(store.contains(b.fingerprint)).to.equal(false);
        expect(await (await harness.reopen()).list()).to.deep.equal([{ ...trusted(a), provenance: BY_TOKEN }]);
      });

      it('records when a certificate found without a record was last seen', async () => {
        const store = await harness.create();
        await harness.plant(trusted(a));
        await store.refresh();
        await store.recordSeen(new Map([[a.fingerprint, later(4)]]));
        const record = await recordOf(await harness.reopen(), a);
        expect(record?.provenance.via).to.equal('file');
        expect(record?.lastSeen).to.deep.equal(later(4));
      });
    });

    it(`round-trips ${MANY} certificates`, async () => {
      const store = await harness.create();
      // One by one for a start, then in bulk: each add rewrites the store durably.
      for (const cert of certs.slice(0, 50)) await store.add(trusted(cert));
      expect(await store.addAll(certs.map(trusted))).to.equal(MANY - 50);
      const reopened = await harness.reopen();
      expect(reopened.size()).to.equal(MANY);
      expect(certificatesOf(await reopened.list())).to.deep.equal(certs.map(trusted));
    });
  });
}
