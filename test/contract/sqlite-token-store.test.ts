import { expect } from 'chai';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteCertStore } from '../../src/adapters/stores/sqlite/sqlite-cert-store.js';
import { SqliteTokenStore } from '../../src/adapters/stores/sqlite/sqlite-token-store.js';
import { sqliteStorePath } from '../../src/app/paths.js';
import { expectAuthError } from '../support/expect-auth-error.js';
import { withRawDatabase } from '../support/raw-sqlite.js';
import { storeHarness } from '../support/store-harness.js';
import { tokenStoreContract } from './token-store.contract.js';

const makeHarness = storeHarness('mpa-sqltok-', sqliteStorePath, (path, logger) => new SqliteTokenStore(path, logger));

tokenStoreContract('SqliteTokenStore', makeHarness);

const TOKEN = {
  id: 'abcd2345',
  hash: 'c'.repeat(64),
  createdAt: new Date('2026-02-01T10:00:00.000Z'),
  expiresAt: new Date('2026-02-01T10:15:00.000Z'),
};

describe('SqliteTokenStore specifics', () => {
  let harness: Awaited<ReturnType<typeof makeHarness>>;

  beforeEach(async () => {
    harness = await makeHarness();
  });

  afterEach(async () => {
    await harness.dispose();
  });

  it('keeps tokens in the enrolment_tokens table of the database the certificates are in, hashes only', async () => {
    const certs = harness.track(new SqliteCertStore(harness.filePath, harness.logger));
    await certs.load();
    const store = await harness.create();
    await store.add(TOKEN);
    const rows = withRawDatabase(harness.filePath, (db) => db.prepare('SELECT id, hash, label, used_at FROM enrolment_tokens').all());
    expect(rows).to.deep.equal([{ id: 'abcd2345', hash: 'c'.repeat(64), label: null, used_at: null }]);
  });

  it('reads a zero-length database file as no tokens, and never turns it into a database', async () => {
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, '');
    const store = await harness.create();
    expect(await store.list()).to.deep.equal([]);
    expect(await store.redeem(TOKEN.hash, new Date(), 'a'.repeat(64) as never)).to.equal(undefined);
    await expectAuthError(store.add(TOKEN), 'store-unavailable');
    expect(statSync(harness.filePath).size).to.equal(0);
  });
});
