import { expect } from 'chai';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JsonFileTokenStore } from '../../src/adapters/stores/json-file-token-store.js';
import { tokenFilePath } from '../../src/app/trust-data-paths.js';
import type { EnrolmentToken } from '../../src/domain/enrolment-token.js';
import { expectAuthError } from '../support/expect-auth-error.js';
import { storeHarness } from '../support/store-harness.js';
import { tokenStoreContract } from './token-store.contract.js';

const makeHarness = storeHarness('mpa-tok-', tokenFilePath, (path) => new JsonFileTokenStore(path));

tokenStoreContract('JsonFileTokenStore', makeHarness);

const TOKEN: EnrolmentToken = {
  id: 'abcd2345',
  hash: 'c'.repeat(64),
  label: 'eve',
  createdAt: new Date('2026-02-01T10:00:00.000Z'),
  expiresAt: new Date('2026-02-01T10:15:00.000Z'),
};

describe('JsonFileTokenStore specifics', () => {
  let harness: Awaited<ReturnType<typeof makeHarness>>;

  beforeEach(async () => {
    harness = await makeHarness();
  });

  afterEach(async () => {
    await harness.dispose();
  });

  it('keeps enrolment-tokens.json in the data dir, mode 0600, with hashes and never anything else secret', async () => {
    expect(harness.filePath).to.equal(join(dirname(harness.filePath), 'enrolment-tokens.json'));
    const store = await harness.create();
    await store.add(TOKEN);
    expect(statSync(harness.filePath).mode & 0o777).to.equal(0o600);
    const document = JSON.parse(readFileSync(harness.filePath, 'utf8'));
    expect(document.tokens).to.deep.equal([
      { id: 'abcd2345', sha256: 'c'.repeat(64), label: 'eve', created_at: '2026-02-01T10:00:00.000Z', expires_at: '2026-02-01T10:15:00.000Z' },
    ]);
  });

  it('never writes over a file it cannot read: every call fails naming it, and the file stays as it was', async () => {
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, '{"tokens": [{"id": 1}]}');
    const store = await harness.create();
    const error = await expectAuthError(store.add(TOKEN), 'store-unavailable');
    expect(error.message).to.contain(harness.filePath).and.to.contain('entry 1 is not a token');
    await expectAuthError(store.redeem(TOKEN.hash, new Date(), 'a'.repeat(64) as never), 'store-unavailable');
    await expectAuthError(store.list(), 'store-unavailable');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal('{"tokens": [{"id": 1}]}');
  });
});
