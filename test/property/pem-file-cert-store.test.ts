import { expect } from 'chai';
import fc from 'fast-check';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PemFileCertStore } from '../../src/adapters/stores/pem-file-cert-store.js';
import { NullLogger } from '../support/fakes/null-logger.js';
import { makeTempDir } from '../support/temp-dir.js';
import { testCertificatePool, type TestCertificate } from '../support/test-certificates.js';
import { propertyRuns } from './property-runs.js';
import { bundle, markerFreeBytes, picks, terminatedArmourStyle, type Bundle } from './pem-text.js';

const POOL_SIZE = 6;

/**
 * The PEM store shares its file with admins who edit it by hand: whatever it does not
 * understand (comments, junk, other armour) must come through its rewrites byte for byte.
 */
describe('PEM file store properties', () => {
  let pool: readonly TestCertificate[];
  let temp: ReturnType<typeof makeTempDir>;
  let runs = 0;

  before(async () => {
    pool = await testCertificatePool(POOL_SIZE + 1);
    temp = makeTempDir('mpa-prop-');
  });
  after(() => temp.remove());

  /** A file of junk bytes and certificates (from the first POOL_SIZE), as an admin may leave it. */
  const fileContents = () =>
    fc
      .tuple(picks(POOL_SIZE, 4), fc.array(terminatedArmourStyle, { minLength: 1, maxLength: 4 }), fc.array(markerFreeBytes, { minLength: 5, maxLength: 5 }))
      .map(([at, styles, junks]) => bundle(at.map((i) => pool[i] as TestCertificate), styles, junks));

  /** A fresh file holding `text` (latin1: one byte per character), and a store loaded over it. */
  const storeOver = async (text: string) => {
    const dir = join(temp.path, String((runs += 1)));
    mkdirSync(dir);
    const file = join(dir, 'multipass_client_certs.pem');
    writeFileSync(file, Buffer.from(text, 'latin1'));
    const store = new PemFileCertStore(file, new NullLogger());
    await store.load();
    const read = () => (existsSync(file) ? readFileSync(file).toString('latin1') : undefined);
    const reopened = async () => {
      const again = new PemFileCertStore(file, new NullLogger());
      await again.load();
      const listed = (await again.list()).map((c) => c.fingerprint);
      await again.close();
      return listed;
    };
    return { store, read, reopened, dispose: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
  };

  /**
   * What the file should hold: `text`, or no file at all when only blank space would be left
   * (an empty PEM file reads as a damaged store at the next start, so the store deletes it).
   */
  const fileHolding = (text: string) => (/^\s*$/.test(text) ? undefined : text);

  const fingerprintsOf = ({ placed }: Bundle) => [...new Set(placed.map(({ cert }) => cert.fingerprint))];

  it('lists each certificate in the file once, in file order', async () => {
    await fc.assert(
      fc.asyncProperty(fileContents(), async (contents) => {
        const { store, dispose } = await storeOver(contents.text);
        try {
          expect((await store.list()).map((c) => c.fingerprint)).to.deep.equal(fingerprintsOf(contents));
          expect(store.size()).to.equal(fingerprintsOf(contents).length);
        } finally {
          await dispose();
        }
      }),
      propertyRuns(100),
    );
  });

  it('leaves the file byte for byte as it was after adding then removing a certificate', async () => {
    await fc.assert(
      fc.asyncProperty(fileContents(), async (contents) => {
        const newcomer = pool[POOL_SIZE] as TestCertificate;
        const { store, read, reopened, dispose } = await storeOver(contents.text);
        try {
          expect(await store.add({ fingerprint: newcomer.fingerprint, pem: newcomer.pem })).to.equal(true);
          expect(await reopened()).to.deep.equal([...fingerprintsOf(contents), newcomer.fingerprint]);
          expect(await store.remove(newcomer.fingerprint)).to.equal(true);
          // Appending to a file whose last line has no line break must add one; nothing else may change.
          const unterminated = contents.text !== '' && !contents.text.endsWith('\n');
          expect(read()).to.equal(fileHolding(contents.text + (unterminated ? '\n' : '')));
          expect(await reopened()).to.deep.equal(fingerprintsOf(contents));
        } finally {
          await dispose();
        }
      }),
      propertyRuns(60),
    );
  });

  it('changes nothing when adding a certificate the file already holds, in whatever armour', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileContents().filter(({ placed }) => placed.length > 0),
        fc.nat(),
        async (contents, which) => {
          const { cert } = contents.placed[which % contents.placed.length]!;
          const { store, read, dispose } = await storeOver(contents.text);
          try {
            expect(await store.add({ fingerprint: cert.fingerprint, pem: cert.pem })).to.equal(false);
            expect(read()).to.equal(contents.text);
          } finally {
            await dispose();
          }
        },
      ),
      propertyRuns(60),
    );
  });

  it('removes exactly the blocks of the removed certificate and keeps every other byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileContents().filter(({ placed }) => placed.length > 0),
        fc.nat(),
        async (contents, which) => {
          const gone = contents.placed[which % contents.placed.length]!.cert.fingerprint;
          let expected = '';
          let from = 0;
          for (const { cert, start, end } of contents.placed) {
            if (cert.fingerprint !== gone) continue;
            expected += contents.text.slice(from, start);
            from = end;
          }
          expected += contents.text.slice(from);
          const { store, read, reopened, dispose } = await storeOver(contents.text);
          try {
            expect(await store.remove(gone)).to.equal(true);
            expect(read()).to.equal(fileHolding(expected));
            expect(await reopened()).to.deep.equal(fingerprintsOf(contents).filter((fp) => fp !== gone));
          } finally {
            await dispose();
          }
        },
      ),
      propertyRuns(60),
    );
  });
});
