import { expect } from 'chai';
import type { Fingerprint } from '../../src/domain/fingerprint.js';
import { certificatesOf } from '../support/fakes/certificates-of.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, WELL_FORMED_FINGERPRINT } from '../../src/adapters/stores/sqlite/migrations.js';
import { READ_FINGERPRINTS, READ_FINGERPRINTS_ANY_ENCODING, READ_MALFORMED, SqliteCertStore } from '../../src/adapters/stores/sqlite/sqlite-cert-store.js';
import { BUSY_TIMEOUT_MS, openSqliteDatabase } from '../../src/adapters/stores/sqlite/sqlite-database.js';
import { sqliteStorePath } from '../../src/app/paths.js';
import { RecordingLoggerFake } from '../support/fakes/recording-logger-fake.js';
import { expectAuthError } from '../support/expect-auth-error.js';
import { versionRows, withRawDatabase } from '../support/raw-sqlite.js';
import { holdSqliteWriteLock, longestEventLoopStall } from '../support/sqlite-lock-holder.js';
import { storeHarness, type StoreHarness } from '../support/store-harness.js';
import { testCertificatePool, type TestCertificate } from '../support/test-certificates.js';
import { certStoreContract } from './cert-store.contract.js';

const makeSqliteHarness = storeHarness('mpa-sqlite-', sqliteStorePath, (path, logger) => new SqliteCertStore(path, logger));
type SqliteHarness = StoreHarness<SqliteCertStore>;

certStoreContract('SqliteCertStore', async () => {
  const harness = await makeSqliteHarness();
  return {
    ...harness,
    async plant(certificate) {
      withRawDatabase(harness.filePath, (db) =>
        db
          .prepare('INSERT INTO trusted_certificates (fingerprint, pem, added_at) VALUES (?, ?, ?)')
          .run(certificate.fingerprint, certificate.pem, new Date().toISOString()),
      );
    },
  };
});

const trusted = (cert: TestCertificate) => ({ fingerprint: cert.fingerprint, pem: cert.pem });
const modeOf = (path: string): number => statSync(path).mode & 0o777;
const isReload = (line: { level: string; message: string }) => line.level === 'debug' && /^read \d+ trusted certificate/.test(line.message);



describe('SqliteCertStore specifics', () => {
  let harness: SqliteHarness;
  let a: TestCertificate, b: TestCertificate, c: TestCertificate;

  before(async () => {
    [a, b, c] = (await testCertificatePool(3)) as [TestCertificate, TestCertificate, TestCertificate];
  });

  beforeEach(async () => {
    harness = await makeSqliteHarness();
  });

  afterEach(async () => {
    await harness.dispose();
  });

  it('puts the database in WAL mode, with synchronous FULL, no busy wait inside SQLite, foreign keys and a 2 MB page cache on each connection', async () => {
    await harness.create();
    expect(withRawDatabase(harness.filePath, (db) => db.pragma('journal_mode', { simple: true }))).to.equal('wal');
    const db = openSqliteDatabase(harness.filePath, harness.logger);
    try {
      expect(db.pragma('synchronous', { simple: true }), 'FULL is 2').to.equal(2);
      expect(db.pragma('busy_timeout', { simple: true }), 'a lock is waited for between attempts, off the event loop').to.equal(0);
      expect(db.pragma('foreign_keys', { simple: true })).to.equal(1);
      expect(db.pragma('cache_size', { simple: true }), 'a page cache of 2 MB, not better-sqlite3\'s 16 MB').to.equal(-2000);
    } finally {
      db.close();
    }
  });

  it('records the latest migration as the single row of schema_version', async () => {
    await harness.create();
    expect(MIGRATIONS.map((migration) => migration.version), 'versions run 1, 2, 3... in order').to.deep.equal(
      MIGRATIONS.map((_, i) => i + 1),
    );
    expect(LATEST_SCHEMA_VERSION).to.equal(MIGRATIONS.at(-1)?.version);
    expect(versionRows(harness.filePath)).to.deep.equal([LATEST_SCHEMA_VERSION]);
    expect(harness.logger.lines.filter((line) => line.level === 'info' && line.message.startsWith('migrated'))).to.have.length(
      MIGRATIONS.length,
    );
  });

  it('migrates forward a database at version 0 whose schema_version table is empty', async () => {
    withRawDatabase(harness.filePath, (db) => db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)'));
    const store = await harness.create();
    await store.add(trusted(a));
    expect(versionRows(harness.filePath)).to.deep.equal([LATEST_SCHEMA_VERSION]);
    expect(certificatesOf(await (await harness.reopen()).list())).to.deep.equal([trusted(a)]);
  });

  it('reports an empty file that already existed as a fault, leaves it empty at load and refresh, and initialises it when a certificate is added', async () => {
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, '');
    const store = await harness.create();
    expect(store.fault()).to.contain(harness.filePath).and.to.contain('is empty').and.to.contain('multipassd trust add');
    await store.refresh();
    expect(statSync(harness.filePath).size, 'not made a fresh database behind the admin').to.equal(0);
    expect(await store.add(trusted(a))).to.equal(true);
    expect(store.fault()).to.equal(undefined);
    expect(versionRows(harness.filePath)).to.deep.equal([LATEST_SCHEMA_VERSION]);
  });

  it('migrates a version 1 database to the latest in place: its certificates stay trusted, recorded as file at their added_at', async () => {
    withRawDatabase(harness.filePath, (db) => {
      db.exec(MIGRATIONS[0]!.sql);
      db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version (version) VALUES (1)');
      db.prepare('INSERT INTO trusted_certificates (fingerprint, pem, added_at) VALUES (?, ?, ?)').run(a.fingerprint, a.pem, '2025-03-01T10:00:00.000Z');
    });
    const store = await harness.create();
    expect(store.contains(a.fingerprint)).to.equal(true);
    expect(await store.list()).to.deep.equal([{ ...trusted(a), provenance: { via: 'file', at: new Date('2025-03-01T10:00:00.000Z') } }]);
    expect(versionRows(harness.filePath)).to.deep.equal([LATEST_SCHEMA_VERSION]);
    const tables = withRawDatabase(harness.filePath, (db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all());
    expect(tables).to.include('enrolment_tokens');
    await store.setLabel(a.fingerprint, 'from v1');
    expect((await (await harness.reopen()).list())[0]?.provenance).to.deep.equal({ via: 'file', at: new Date('2025-03-01T10:00:00.000Z'), label: 'from v1' });
  });

  it('migrates a version 2 database, as multipassd wrote it before version 3, in place: every certificate stays trusted, odd rows stay skipped', async () => {
    const pool = (await testCertificatePool(43)).slice(3);
    withRawDatabase(harness.filePath, (db) => {
      for (const migration of MIGRATIONS.filter((step) => step.version <= 2)) db.exec(migration.sql);
      db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version (version) VALUES (2)');
      const insert = db.prepare("INSERT INTO trusted_certificates (fingerprint, pem, added_at, via, label) VALUES (?, ?, '2026-01-02T03:04:05.000Z', 'admin', ?)");
      for (const cert of pool) insert.run(cert.fingerprint, cert.pem, null);
      insert.run(a.fingerprint.toUpperCase(), a.pem, 'hand-edited');
    });
    const store = await harness.create();
    expect(versionRows(harness.filePath)).to.deep.equal([LATEST_SCHEMA_VERSION]);
    expect(store.fault()).to.equal(undefined);
    expect(store.size()).to.equal(pool.length);
    for (const cert of pool) expect(store.contains(cert.fingerprint), cert.fingerprint).to.equal(true);
    expect(store.contains(a.fingerprint), 'an upper-case row is not trusted under the lowercase fingerprint').to.equal(false);
    expect(harness.logger.lines.filter((line) => line.level === 'warn' && String(line.message).includes('64 lowercase hex'))).to.have.length(1);
    const indexed = withRawDatabase(harness.filePath, (db) => db.prepare('SELECT count(*) FROM trusted_certificates INDEXED BY trusted_fingerprints WHERE ' + WELL_FORMED_FINGERPRINT).pluck().get());
    expect(indexed, 'the partial index holds the well-formed rows only').to.equal(pool.length);
    const malformed = withRawDatabase(harness.filePath, (db) =>
      db.prepare('SELECT fingerprint FROM trusted_certificates INDEXED BY malformed_fingerprints WHERE NOT (' + WELL_FORMED_FINGERPRINT + ')').pluck().all(),
    );
    expect(malformed, 'the other partial index holds the rest').to.deep.equal([a.fingerprint.toUpperCase()]);
    expect((await store.list()).map((record) => record.provenance.via)).to.deep.equal(pool.map(() => 'admin'));
    await store.remove(pool[0]!.fingerprint);
    expect((await harness.reopen()).size()).to.equal(pool.length - 1);
  });

  it('reads the trusted fingerprints and the malformed rows each from its partial index, checking nothing per row', async () => {
    await harness.create();
    const plan = (sql: string) =>
      withRawDatabase(harness.filePath, (db) =>
        db
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all()
          .map((row) => (row as { detail: string }).detail),
      );
    expect(plan(READ_FINGERPRINTS)).to.deep.equal(['SCAN trusted_certificates USING COVERING INDEX trusted_fingerprints']);
    expect(plan(READ_FINGERPRINTS_ANY_ENCODING)).to.deep.equal(['SCAN trusted_certificates USING COVERING INDEX trusted_fingerprints']);
    expect(plan(READ_MALFORMED)).to.deep.equal(['SCAN trusted_certificates USING COVERING INDEX malformed_fingerprints']);
  });

  // Digests chosen so that reading them as UTF-16 text changes them, and with zero bytes.
  const oddDigests = ['00'.repeat(32), 'ff'.repeat(32), '00ff'.repeat(16), 'd800'.repeat(16)] as Fingerprint[];
  const plantDigests = (path: string) =>
    withRawDatabase(path, (db) => {
      const insert = db.prepare("INSERT INTO trusted_certificates (fingerprint, pem, added_at) VALUES (?, 'planted', 'now')");
      for (const fingerprint of oddDigests) insert.run(fingerprint);
    });

  it('reads digests with zero bytes and any byte value from the join SQLite makes, byte for byte', async () => {
    const store = await harness.create();
    await store.addAll([trusted(a), trusted(b)]);
    plantDigests(harness.filePath);
    const joined = withRawDatabase(harness.filePath, (db) => db.prepare(READ_FINGERPRINTS).pluck().get() as Buffer);
    const hex = withRawDatabase(harness.filePath, (db) =>
      db.prepare(`SELECT fingerprint FROM trusted_certificates INDEXED BY trusted_fingerprints WHERE ${WELL_FORMED_FINGERPRINT}`).pluck().all() as string[],
    );
    expect(joined.toString('hex')).to.equal(hex.join(''));
    const reopened = await harness.reopen();
    expect([a.fingerprint, b.fingerprint, ...oddDigests].filter((fingerprint) => !reopened.contains(fingerprint))).to.deep.equal([]);
    expect(reopened.size()).to.equal(2 + oddDigests.length);
  });

  it('reads the same fingerprints from a database whose text is UTF-16 (made by another tool) as from a UTF-8 one', async () => {
    withRawDatabase(harness.filePath, (db) => {
      db.pragma("encoding = 'UTF-16le'");
      db.exec('CREATE TABLE made_by_another_tool (x); DROP TABLE made_by_another_tool');
    });
    const store = await harness.create();
    expect(store.fault()).to.equal(undefined);
    await store.addAll([trusted(a), trusted(b)]);
    plantDigests(harness.filePath);
    expect(withRawDatabase(harness.filePath, (db) => db.pragma('encoding', { simple: true }))).to.equal('UTF-16le');
    const reopened = await harness.reopen();
    expect([a.fingerprint, b.fingerprint, ...oddDigests].filter((fingerprint) => !reopened.contains(fingerprint)), 'every certificate is trusted').to.deep.equal([]);
    expect(reopened.size()).to.equal(2 + oddDigests.length);
    const utf8Read = withRawDatabase(harness.filePath, (db) => db.prepare(READ_FINGERPRINTS).pluck().get() as Buffer);
    const anyRead = withRawDatabase(harness.filePath, (db) => db.prepare(READ_FINGERPRINTS_ANY_ENCODING).pluck().get() as Buffer);
    expect(utf8Read.equals(anyRead), 'in a UTF-16 database group_concat re-encodes the digests: the UTF-8 read would be wrong here').to.equal(false);
  });

  it('still reads every well-formed fingerprint, and only those, when the partial indexes were dropped by hand', async () => {
    const store = await harness.create();
    await store.addAll([trusted(a), trusted(b)]);
    withRawDatabase(harness.filePath, (db) => {
      db.exec('DROP INDEX trusted_fingerprints; DROP INDEX malformed_fingerprints');
      db.prepare("INSERT INTO trusted_certificates (fingerprint, pem, added_at) VALUES (?, ?, 'now')").run(c.fingerprint.toUpperCase(), c.pem);
    });
    const reopened = await harness.reopen();
    expect([reopened.size(), ...[a, b, c].map((cert) => reopened.contains(cert.fingerprint))]).to.deep.equal([2, true, true, false]);
  });

  it('reads a record edited into something it does not know as file, keeping the certificate trusted', async () => {
    const store = await harness.create();
    await store.add(trusted(a), { via: 'admin', at: new Date('2026-01-01T00:00:00.000Z') });
    withRawDatabase(harness.filePath, (db) => db.prepare("UPDATE trusted_certificates SET via = 'magic', added_at = 'soon', last_seen = 'never'").run());
    const [record] = await (await harness.reopen()).list();
    expect(record?.provenance).to.deep.equal({ via: 'file', at: new Date(0) });
    expect(record?.lastSeen).to.equal(undefined);
  });

  it('refuses a database with a newer schema version with store-unavailable, naming the file and both versions, and leaves it untouched', async () => {
    const future = LATEST_SCHEMA_VERSION + 1;
    withRawDatabase(harness.filePath, (db) => {
      db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); CREATE TABLE trusted_clients (id BLOB PRIMARY KEY)');
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(future);
    });
    const before = readFileSync(harness.filePath);
    const error = await expectAuthError(harness.create(), 'store-unavailable');
    expect(error.message).to.contain(harness.filePath).and.to.contain(`version ${future}`).and.to.contain(`version ${LATEST_SCHEMA_VERSION}`);
    expect(readFileSync(harness.filePath).equals(before), 'the file is byte for byte the same').to.equal(true);
    expect(versionRows(harness.filePath)).to.deep.equal([future]);
  });

  it('reports a file that is not a SQLite database as a fault naming it, refuses to add over it, and leaves it untouched', async () => {
    const original = `${a.pem}this is the PEM bundle, put here by mistake\n`;
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, original);
    const store = await harness.create();
    expect(store.fault()).to.contain(harness.filePath).and.to.contain('not a SQLite database').and.not.to.contain('trust add');
    expect(store.size()).to.equal(0);
    const error = await expectAuthError(store.add(trusted(b)), 'store-unavailable');
    expect(error.message).to.contain(harness.filePath).and.to.contain('not a SQLite database');
    await store.refresh();
    expect(store.fault()).to.be.a('string');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal(original);
  });

  it('reports a path that is a directory as a fault naming it', async () => {
    mkdirSync(harness.filePath, { recursive: true });
    const store = await harness.create();
    expect(store.fault()).to.contain(harness.filePath);
  });

  it('creates the database and its WAL with mode 0600 in directories with mode 0700', async () => {
    const store = await harness.create();
    await store.add(trusted(a));
    expect(modeOf(harness.filePath)).to.equal(0o600);
    expect(modeOf(`${harness.filePath}-wal`)).to.equal(0o600);
    expect(modeOf(dirname(harness.filePath))).to.equal(0o700);
  });

  it('keys the table by fingerprint: a duplicate inserted by SQL fails', async () => {
    const store = await harness.create();
    await store.add(trusted(a));
    const insert = () =>
      withRawDatabase(harness.filePath, (db) =>
        db.prepare("INSERT INTO trusted_certificates (fingerprint, pem, added_at) VALUES (?, ?, 'now')").run(a.fingerprint, b.pem),
      );
    expect(insert).to.throw().with.property('code', 'SQLITE_CONSTRAINT_PRIMARYKEY');
  });

  it('rejects a PEM that is not a certificate, or not the one named, with invalid-certificate and writes nothing', async () => {
    const store = await harness.create();
    await expectAuthError(store.add({ fingerprint: a.fingerprint, pem: 'not a certificate' }), 'invalid-certificate');
    await expectAuthError(store.addAll([trusted(c), { fingerprint: a.fingerprint, pem: b.pem }]), 'invalid-certificate');
    expect(store.size()).to.equal(0);
    expect(certificatesOf(await (await harness.reopen()).list())).to.deep.equal([]);
  });

  it('skips a row with a malformed fingerprint with a warning, and keeps it in the table', async () => {
    const store = await harness.create();
    await store.add(trusted(a));
    withRawDatabase(harness.filePath, (db) =>
      db.prepare("INSERT INTO trusted_certificates (fingerprint, pem, added_at) VALUES ('AB:CD', ?, 'now')").run(b.pem),
    );
    await store.refresh();
    expect(certificatesOf(await store.list())).to.deep.equal([trusted(a)]);
    expect(harness.logger.lines.some((line) => line.level === 'warn' && line.fields?.fingerprint === 'AB:CD')).to.equal(true);
    await store.add(trusted(c));
    expect(withRawDatabase(harness.filePath, (db) => db.prepare('SELECT count(*) FROM trusted_certificates').pluck().get())).to.equal(3);
  });

  it('trusts only rows whose fingerprint is 64 lowercase hex digits as text: not upper case, not other letters, not a blob', async () => {
    const store = await harness.create();
    await store.add(trusted(a));
    const upper = b.fingerprint.toUpperCase();
    const notHex = `${c.fingerprint.slice(0, 63)}g`;
    withRawDatabase(harness.filePath, (db) => {
      const insert = db.prepare("INSERT INTO trusted_certificates (fingerprint, pem, added_at) VALUES (?, ?, 'now')");
      insert.run(upper, b.pem);
      insert.run(notHex, c.pem);
      insert.run(Buffer.from(c.fingerprint, 'hex'), c.pem);
    });
    const reopened = await harness.reopen();
    expect(reopened.size()).to.equal(1);
    expect([a, b, c].map((cert) => reopened.contains(cert.fingerprint))).to.deep.equal([true, false, false]);
    expect(harness.logger.lines.filter((line) => line.level === 'warn' && String(line.message).includes('64 lowercase hex'))).to.have.length.of.at.least(3);
    await reopened.remove(a.fingerprint);
    await reopened.add(trusted(b));
    expect([reopened.size(), reopened.contains(a.fingerprint), reopened.contains(b.fingerprint)]).to.deep.equal([1, false, true]);
  });

  // Each alone: the load reads every row of the right shape in one text, checked at once, so
  // one odd row among good ones must be caught by that check, not only by another row's.
  for (const [what, odd] of [
    ['in upper case', (cert: TestCertificate) => cert.fingerprint.toUpperCase()],
    ['with one upper-case digit', (cert: TestCertificate) => cert.fingerprint.replace(/[a-f]/, (letter) => letter.toUpperCase())],
    ['with a letter that is not a hex digit', (cert: TestCertificate) => `g${cert.fingerprint.slice(1)}`],
    ['as a blob of the digest', (cert: TestCertificate) => Buffer.from(cert.fingerprint, 'hex')],
    ['as a blob of the hex text', (cert: TestCertificate) => Buffer.from(cert.fingerprint)],
    ['of 63 digits', (cert: TestCertificate) => cert.fingerprint.slice(1)],
    ['as NULL', () => null],
  ] as const) {
    it(`skips with a warning a row whose fingerprint is ${what}, among rows that are well formed`, async () => {
      const store = await harness.create();
      await store.addAll([trusted(a), trusted(b)]);
      const value = odd(c);
      withRawDatabase(harness.filePath, (db) => db.prepare("INSERT INTO trusted_certificates (fingerprint, pem, added_at) VALUES (?, ?, 'now')").run(value, c.pem));
      const reopened = await harness.reopen();
      expect(reopened.fault()).to.equal(undefined);
      expect([reopened.size(), ...[a, b, c].map((cert) => reopened.contains(cert.fingerprint))]).to.deep.equal([2, true, true, false]);
      if (typeof value === 'string') expect(reopened.contains(value as Fingerprint), 'not trusted under its own spelling either').to.equal(false);
      expect(harness.logger.lines.filter((line) => line.level === 'warn' && String(line.message).includes('64 lowercase hex'))).to.have.length(1);
    });
  }

  it('reads a store of many certificates and one with none alike: every well-formed row trusted, nothing warned', async () => {
    const pool = (await testCertificatePool(43)).slice(3);
    const store = await harness.create();
    expect(store.size()).to.equal(0);
    await store.addAll(pool.map(trusted));
    const reopened = await harness.reopen();
    expect(reopened.size()).to.equal(pool.length);
    for (const cert of pool) expect(reopened.contains(cert.fingerprint), cert.fingerprint).to.equal(true);
    expect(reopened.contains(a.fingerprint), 'one not added').to.equal(false);
    expect(harness.logger.lines.filter((line) => line.level === 'warn')).to.deep.equal([]);
  });

  it("reloads on refresh only after another connection committed, not for its own writes or when nothing changed", async () => {
    const ownLog = new RecordingLoggerFake();
    const store = await harness.open(ownLog);
    const other = await harness.open(new RecordingLoggerFake());
    const reloads = () => ownLog.lines.filter(isReload).length;
    expect(reloads(), 'the initial load').to.equal(1);

    await store.refresh();
    await store.refresh();
    await store.add(trusted(a));
    await store.refresh();
    expect(reloads(), 'nothing changed elsewhere').to.equal(1);

    await other.add(trusted(b));
    expect(store.contains(b.fingerprint)).to.equal(false);
    await store.refresh();
    expect(store.contains(b.fingerprint)).to.equal(true);
    expect(reloads()).to.equal(2);

    await store.refresh();
    expect(reloads(), 'nothing changed since').to.equal(2);
  });

  it('answers contains from memory, not from the database, until refresh', async () => {
    const store = await harness.create();
    await store.add(trusted(a));
    const db = openSqliteDatabase(harness.filePath, harness.logger);
    try {
      db.prepare('DELETE FROM trusted_certificates').run();
    } finally {
      db.close();
    }
    expect(store.contains(a.fingerprint), 'contains answers from memory until refresh').to.equal(true);
    await store.refresh();
    expect(store.contains(a.fingerprint)).to.equal(false);
  });

  describe('with other processes', () => {
    const storeModule = fileURLToPath(new URL('../../src/adapters/stores/sqlite/sqlite-cert-store.js', import.meta.url));
    const script = `
      const { SqliteCertStore } = await import(process.argv[1]);
      const quiet = { debug() {}, info() {}, warn() {}, error() {} };
      const store = new SqliteCertStore(process.argv[2], quiet);
      // Line up with the other processes, so that they race to create and migrate the file.
      await new Promise((resolve) => setTimeout(resolve, Number(process.argv[4]) - Date.now()));
      await store.load();
      for (const cert of JSON.parse(process.argv[3])) await store.add(cert);
      await store.close();`;

    const runChild = (batch: readonly TestCertificate[], startAt: number): Promise<number | null> => {
      const child = spawn(
        process.execPath,
        ['--input-type=module', '-e', script, storeModule, harness.filePath, JSON.stringify(batch.map(trusted)), String(startAt)],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      return new Promise((done) => child.on('exit', done));
    };

    it('waits for a write lock another process holds without blocking the event loop, then writes', async () => {
      const store = await harness.create();
      const holdMs = 1000;
      expect(holdMs).to.be.below(BUSY_TIMEOUT_MS);
      const lock = await holdSqliteWriteLock(harness.filePath, holdMs);
      const started = performance.now();
      const { result, stallMs } = await longestEventLoopStall(() => store.add(trusted(a)));
      const waited = performance.now() - started;
      await lock.released;
      expect(result).to.equal(true);
      expect(waited, 'it did wait for the lock').to.be.above(holdMs / 2);
      // Blocked inside SQLite, the loop would stall for the whole hold (about 1000 ms).
      expect(stallMs, 'longest event-loop stall, ms').to.be.below(holdMs / 4);
      expect(certificatesOf(await (await harness.reopen()).list())).to.deep.equal([trusted(a)]);
    });

    it('loses nothing when several processes create the database and add to it at the same time as this one', async () => {
      const certs = await testCertificatePool(30);
      const perProcess = 6;
      expect(existsSync(harness.filePath)).to.equal(false);
      const startAt = Date.now() + 1000;
      const children = [0, 1, 2, 3].map((n) => runChild(certs.slice(n * perProcess, (n + 1) * perProcess), startAt));
      await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
      const here = await harness.create();
      for (const cert of certs.slice(4 * perProcess)) await here.add(trusted(cert));
      expect(await Promise.all(children)).to.deep.equal([0, 0, 0, 0]);
      expect(versionRows(harness.filePath)).to.deep.equal([LATEST_SCHEMA_VERSION]);
      await here.refresh();
      expect(here.size()).to.equal(certs.length);
      const reopened = await harness.reopen();
      expect(reopened.size()).to.equal(certs.length);
      for (const cert of certs) expect(reopened.contains(cert.fingerprint), cert.fingerprint).to.equal(true);
    });
  });
});
