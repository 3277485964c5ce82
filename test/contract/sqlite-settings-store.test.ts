import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LATEST_SCHEMA_VERSION } from '../../src/adapters/stores/sqlite/migrations.js';
import { SqliteCertStore } from '../../src/adapters/stores/sqlite/sqlite-cert-store.js';
import { SqliteSettingsStore } from '../../src/adapters/stores/sqlite/sqlite-settings-store.js';
import { sqliteStorePath } from '../../src/app/paths.js';
import { expectAuthError } from '../support/expect-auth-error.js';
import { versionRows, withRawDatabase } from '../support/raw-sqlite.js';
import { storeHarness, type StoreHarness } from '../support/store-harness.js';
import { testCertificatePool } from '../support/test-certificates.js';
import { settingsStoreContract } from './settings-store.contract.js';

const makeSqliteHarness = storeHarness('mpa-sqlite-', sqliteStorePath, (path, logger) => new SqliteSettingsStore(path, logger));
type SqliteHarness = StoreHarness<SqliteSettingsStore>;

settingsStoreContract('SqliteSettingsStore', makeSqliteHarness);

const HASH = 'scrypt$ln=15,r=8,p=1$c2FsdA==$aGFzaA==';
const modeOf = (path: string): number => statSync(path).mode & 0o777;



describe('SqliteSettingsStore specifics', () => {
  let harness: SqliteHarness;

  beforeEach(async () => {
    harness = await makeSqliteHarness();
  });

  afterEach(async () => {
    await harness.dispose();
  });

  it('puts the database in WAL mode at the latest schema version', async () => {
    await harness.create();
    expect(withRawDatabase(harness.filePath, (db) => db.pragma('journal_mode', { simple: true }))).to.equal('wal');
    expect(versionRows(harness.filePath)).to.deep.equal([LATEST_SCHEMA_VERSION]);
  });

  it('migrates forward a database at version 0 whose schema_version table is empty', async () => {
    withRawDatabase(harness.filePath, (db) => db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)'));
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    expect(versionRows(harness.filePath)).to.deep.equal([LATEST_SCHEMA_VERSION]);
    expect(await (await harness.reopen()).get('local.passphrase')).to.equal(HASH);
  });

  it('gives its file and table as its location', async () => {
    expect((await harness.create()).location()).to.equal(`${harness.filePath} (table settings)`);
  });

  it('reads an empty file that already existed as no settings and leaves it empty, until a set initialises it', async () => {
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, '');
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal(undefined);
    expect(await store.entries()).to.deep.equal([]);
    await store.delete('local.passphrase');
    expect(statSync(harness.filePath).size, 'not made a database by reads or a delete').to.equal(0);
    await store.set('local.passphrase', HASH);
    expect(versionRows(harness.filePath)).to.deep.equal([LATEST_SCHEMA_VERSION]);
    expect(await (await harness.reopen()).get('local.passphrase')).to.equal(HASH);
  });

  it('refuses a database with a newer schema version with store-unavailable, naming the file and both versions, and leaves it untouched', async () => {
    const future = LATEST_SCHEMA_VERSION + 7;
    withRawDatabase(harness.filePath, (db) => {
      db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); CREATE TABLE settings (k TEXT, v BLOB, scope TEXT)');
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(future);
    });
    const before = readFileSync(harness.filePath);
    const error = await expectAuthError(harness.create(), 'store-unavailable');
    expect(error.message).to.contain(harness.filePath).and.to.contain(`version ${future}`).and.to.contain(`version ${LATEST_SCHEMA_VERSION}`);
    expect(readFileSync(harness.filePath).equals(before), 'the file is byte for byte the same').to.equal(true);
  });

  it('opens over a file that is not a SQLite database, refuses every call with store-unavailable naming the file, and leaves it untouched', async () => {
    const original = '[local]\npassphrase=an INI file put here by mistake\n';
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, original);
    const store = await harness.create();
    for (const call of [store.get('local.passphrase'), store.set('local.passphrase', HASH), store.entries()]) {
      const error = await expectAuthError(call, 'store-unavailable');
      expect(error.message).to.contain(harness.filePath).and.to.contain('not a SQLite database');
    }
    expect(readFileSync(harness.filePath, 'utf8')).to.equal(original);
  });

  it('creates the database with mode 0600 in a directory with mode 0700', async () => {
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    expect(modeOf(harness.filePath)).to.equal(0o600);
    expect(modeOf(dirname(harness.filePath))).to.equal(0o700);
  });

  it('keys the table by key: a duplicate inserted by SQL fails', async () => {
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    const insert = () =>
      withRawDatabase(harness.filePath, (db) => db.prepare("INSERT INTO settings (key, value) VALUES ('local.passphrase', 'other')").run());
    expect(insert).to.throw().with.property('code', 'SQLITE_CONSTRAINT_PRIMARYKEY');
  });

  it('lists entries ordered by key', async () => {
    const store = await harness.create();
    for (const key of ['local.passphrase', 'b', 'client.gui', 'a.z', 'local.driver']) await store.set(key, key.toUpperCase());
    expect((await store.entries()).map(([key]) => key)).to.deep.equal(['a.z', 'b', 'client.gui', 'local.driver', 'local.passphrase']);
  });

  it('shares the database file with SqliteCertStore, each on its own connection', async () => {
    const [cert] = await testCertificatePool(1);
    const settings = await harness.create();
    const certs = harness.track(new SqliteCertStore(harness.filePath, harness.logger));
    await certs.load();
    await settings.set('local.passphrase', HASH);
    await certs.add({ fingerprint: cert!.fingerprint, pem: cert!.pem });
    await settings.close();
    expect(await certs.list()).to.have.length(1);
    expect(await (await harness.reopen()).get('local.passphrase')).to.equal(HASH);
  });

  it('reads a change made with SQL by another process on the next get', async () => {
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    withRawDatabase(harness.filePath, (db) => db.prepare("UPDATE settings SET value = 'changed' WHERE key = 'local.passphrase'").run());
    expect(await store.get('local.passphrase')).to.equal('changed');
  });

  it('never logs a value', async () => {
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    await store.get('local.passphrase');
    await store.entries();
    await store.delete('local.passphrase');
    expect(harness.logger.lines).to.not.be.empty;
    expect(harness.logger.text()).to.not.contain(HASH).and.to.not.contain('aGFzaA');
  });

  it('rejects every call after close with store-unavailable', async () => {
    const store = await harness.create();
    await store.close();
    await expectAuthError(store.get('local.passphrase'), 'store-unavailable');
    await expectAuthError(store.set('local.passphrase', HASH), 'store-unavailable');
  });

  it('loses no key when several processes create the database and set keys at the same time', async () => {
    const storeModule = fileURLToPath(new URL('../../src/adapters/stores/sqlite/sqlite-settings-store.js', import.meta.url));
    const script = `
      const { SqliteSettingsStore } = await import(process.argv[1]);
      const quiet = { debug() {}, info() {}, warn() {}, error() {} };
      const store = new SqliteSettingsStore(process.argv[2], quiet);
      // Line up with the other processes, so that they race to create and migrate the file.
      await new Promise((resolve) => setTimeout(resolve, Number(process.argv[4]) - Date.now()));
      await store.load();
      for (let i = 0; i < 10; i += 1) await store.set(process.argv[3] + '.' + i, String(i));
      await store.close();`;
    const startAt = Date.now() + 1000;
    const names = ['p0', 'p1', 'p2', 'p3'];
    const runs = names.map((name) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, storeModule, harness.filePath, name, String(startAt)], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      return new Promise<number | null>((done) => child.on('exit', done));
    });
    expect(await Promise.all(runs)).to.deep.equal([0, 0, 0, 0]);
    const entries = await (await harness.reopen()).entries();
    expect(entries).to.have.length(names.length * 10);
    expect(versionRows(harness.filePath)).to.deep.equal([LATEST_SCHEMA_VERSION]);
  });
});
