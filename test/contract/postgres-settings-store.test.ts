import { expect } from 'chai';
import { expectAuthError } from '../support/expect-auth-error.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { settingsStoreOn } from '../support/postgres-harness.js';
import { settingsStoreContract } from './settings-store.contract.js';

const HASH = 'scrypt$ln=15,r=8,p=1$c2FsdA==$aGFzaA==';

describe('PostgreSQL settings store', () => {
  const cluster = usePostgresCluster();
  const makeHarness = settingsStoreOn(cluster);

  settingsStoreContract('PostgresSettingsStore', makeHarness);

  describe('PostgresSettingsStore specifics', () => {
    let harness: Awaited<ReturnType<typeof makeHarness>>;

    beforeEach(async () => {
      harness = await makeHarness();
    });

    afterEach(async () => {
      await harness.dispose();
    });

    it('gives the database (never the password) and table as its location', async () => {
      const store = await harness.create();
      expect(store.location()).to.equal(`the PostgreSQL store postgres@${cluster().socketDir}:${cluster().port}/${harness.database} (table multipassd.settings)`);
    });

    it('reads an emptied schema as no settings and leaves it empty, until a set fills it', async () => {
      await harness.corrupt();
      const store = await harness.create();
      expect(await store.get('local.passphrase')).to.equal(undefined);
      expect(await store.entries()).to.deep.equal([]);
      await store.delete('local.passphrase');
      expect(await harness.sql("SELECT relname FROM pg_class WHERE relnamespace = 'multipassd'::regnamespace")).to.deep.equal([]);
      await store.set('local.passphrase', HASH);
      expect(await (await harness.reopen()).get('local.passphrase')).to.equal(HASH);
    });

    it('refuses every call on a schema that is not a multipassd store with store-unavailable, and leaves it as it is', async () => {
      await harness.sql('CREATE SCHEMA multipassd; CREATE TABLE multipassd.settings (k text, v bytea)');
      const store = await harness.create();
      const error = await expectAuthError(store.get('local.passphrase'), 'store-unavailable');
      expect(error.message).to.contain(harness.database).and.to.contain('not a multipassd store');
      await expectAuthError(store.set('local.passphrase', HASH), 'store-unavailable');
      expect(await harness.sql("SELECT relname FROM pg_class WHERE relnamespace = 'multipassd'::regnamespace")).to.deep.equal([{ relname: 'settings' }]);
    });

    it('sees a set made through another daemon at once, and a schema dropped under it as a fresh start', async () => {
      const here = await harness.create();
      const there = await harness.reopen();
      await there.set('local.passphrase', HASH);
      expect(await here.get('local.passphrase')).to.equal(HASH);
      await harness.erase();
      expect(await here.get('local.passphrase')).to.equal(undefined);
      await here.set('local.passphrase', 'again');
      expect(await there.get('local.passphrase')).to.equal('again');
    });
  });
});
