import { expect } from 'chai';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/adapters/stores/postgres/migrations.js';
import type { PostgresCertStore } from '../../src/adapters/stores/postgres/postgres-cert-store.js';
import { STORE_OFFLINE_MESSAGE } from '../../src/adapters/stores/postgres/postgres-errors.js';
import { AuthError } from '../../src/domain/auth-error.js';
import { certificatesOf } from '../support/fakes/certificates-of.js';
import { RecordingLoggerFake } from '../support/fakes/recording-logger-fake.js';
import { expectAuthError } from '../support/expect-auth-error.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { certStoreOn, type PostgresHarness } from '../support/postgres-harness.js';
import { makeTempDir } from '../support/temp-dir.js';
import { testCertificatePool, type TestCertificate } from '../support/test-certificates.js';
import { certStoreContract } from './cert-store.contract.js';

const trusted = (cert: TestCertificate) => ({ fingerprint: cert.fingerprint, pem: cert.pem });

/** Resolves with the milliseconds it took `holds` to become true; fails after `withinMs`. */
async function timeUntil(holds: () => boolean, withinMs: number, what: string): Promise<number> {
  const start = performance.now();
  while (!holds()) {
    if (performance.now() - start > withinMs) expect.fail(`${what}: not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now() - start;
}

const everything = (logger: RecordingLoggerFake) => JSON.stringify(logger.lines);

describe('PostgreSQL cert store', () => {
  // TLS on TCP: the cases over 127.0.0.1 check that the URL's sslmode reaches pg.
  const cluster = usePostgresCluster({ tls: true });
  const makeHarness = certStoreOn(cluster);

  certStoreContract('PostgresCertStore', async () => makeHarness());

  describe('PostgresCertStore specifics', () => {
    let harness: PostgresHarness<PostgresCertStore>;
    let a: TestCertificate, b: TestCertificate, c: TestCertificate;

    before(async () => {
      [a, b, c] = (await testCertificatePool(3)) as [TestCertificate, TestCertificate, TestCertificate];
    });

    beforeEach(async () => {
      harness = await makeHarness();
    });

    afterEach(async () => {
      await harness.dispose();
    });

    describe('changes pushed by the database', () => {
      it('applies an add and a removal made through another daemon within a second, without refresh', async () => {
        const here = await harness.create();
        const there = await harness.reopen();
        await there.add(trusted(a));
        const added = await timeUntil(() => here.contains(a.fingerprint), 1000, 'add seen');
        await there.remove(a.fingerprint);
        const removed = await timeUntil(() => !here.contains(a.fingerprint), 1000, 'removal seen');
        console.log(`      (pushed: add seen after ${added.toFixed(1)} ms, removal after ${removed.toFixed(1)} ms)`);
      });

      it('applies rows inserted and deleted with plain SQL (psql) at once, through the table triggers', async () => {
        const here = await harness.create();
        await harness.plant(trusted(a));
        await timeUntil(() => here.contains(a.fingerprint), 1000, 'planted row seen');
        await harness.sql('DELETE FROM multipassd.trusted_certificates');
        await timeUntil(() => here.size() === 0, 1000, 'deleted row seen');
        await harness.plant(trusted(b));
        await harness.sql('TRUNCATE multipassd.trusted_certificates');
        await harness.plant(trusted(c));
        await timeUntil(() => here.contains(c.fingerprint) && !here.contains(b.fingerprint), 1000, 'truncate and insert seen');
      });

      it('announces more certificates than fit in one notification as a reload, which every daemon applies', async () => {
        const many = await testCertificatePool(150);
        const here = await harness.create();
        const there = await harness.reopen();
        expect(await there.addAll(many.map(trusted))).to.equal(150);
        await timeUntil(() => here.size() === 150, 2000, 'bulk add seen');
      });

      it('catches up at refresh on a change whose announcement it missed (the heartbeat compares versions)', async () => {
        const here = await harness.create();
        await harness.sql(`
          BEGIN;
          SET LOCAL session_replication_role = replica;
          INSERT INTO multipassd.trusted_certificates (fingerprint, pem, added_at) VALUES ('${a.fingerprint}', '${a.pem}', now());
          UPDATE multipassd.trust_state SET version = version + 1;
          COMMIT;`);
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(here.contains(a.fingerprint), 'no announcement came').to.equal(false);
        await here.refresh();
        expect(here.contains(a.fingerprint)).to.equal(true);
      });

      it('sends one heartbeat query per refresh and reads the table only when the version moved', async () => {
        const logger = new RecordingLoggerFake();
        const here = await harness.open({ logger });
        const reads = () => logger.lines.filter((line) => line.level === 'debug' && /^read \d+ trusted/.test(line.message)).length;
        expect(reads(), 'the first read').to.equal(1);
        for (let i = 0; i < 3; i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 120));
          await here.refresh();
        }
        expect(reads(), 'nothing changed').to.equal(1);
        await here.add(trusted(a));
        await new Promise((resolve) => setTimeout(resolve, 120));
        await here.refresh();
        expect(reads(), 'its own write is applied, not read back').to.equal(1);
      });
    });

    describe('schema', () => {
      it('creates the schema at the latest version, recorded as the single row of schema_version', async () => {
        await harness.create();
        expect(MIGRATIONS.map((migration) => migration.version)).to.deep.equal(MIGRATIONS.map((_, i) => i + 1));
        expect(await harness.sql('SELECT version FROM multipassd.schema_version')).to.deep.equal([{ version: LATEST_SCHEMA_VERSION }]);
        const migrated = harness.logger.lines.filter((line) => line.level === 'info' && line.message.startsWith('migrated'));
        expect(migrated).to.have.length(MIGRATIONS.length);
        expect(migrated[0]?.message).to.contain(harness.database);
      });

      it('migrates forward a schema at version 0 whose schema_version table is empty', async () => {
        await harness.sql('CREATE SCHEMA multipassd; CREATE TABLE multipassd.schema_version (version integer NOT NULL)');
        const store = await harness.create();
        await store.add(trusted(a));
        expect(await harness.sql('SELECT version FROM multipassd.schema_version')).to.deep.equal([{ version: LATEST_SCHEMA_VERSION }]);
        expect(certificatesOf(await (await harness.reopen()).list())).to.deep.equal([trusted(a)]);
      });

      it('lets daemons that start together on a fresh database race to create the schema: it is made once, and all of them work', async () => {
        const loggers = Array.from({ length: 6 }, () => new RecordingLoggerFake());
        const stores = await Promise.all(loggers.map((logger) => harness.open({ logger })));
        const migrated = loggers.flatMap((logger) => logger.lines).filter((line) => line.message.startsWith('migrated'));
        expect(migrated, 'each step applied by one of them').to.have.length(MIGRATIONS.length);
        expect(await harness.sql('SELECT version FROM multipassd.schema_version')).to.deep.equal([{ version: LATEST_SCHEMA_VERSION }]);
        await Promise.all(stores.map((store, i) => store.add(trusted([a, b, c][i % 3]!))));
        for (const store of stores) await timeUntil(() => store.size() === 3, 1000, 'every add everywhere');
      });

      it('refuses a schema with a newer version with store-unavailable, naming both versions, and leaves it untouched', async () => {
        const future = LATEST_SCHEMA_VERSION + 1;
        await harness.sql(`CREATE SCHEMA multipassd; CREATE TABLE multipassd.schema_version (version integer NOT NULL);
          INSERT INTO multipassd.schema_version VALUES (${future}); CREATE TABLE multipassd.trusted_clients (id bytea)`);
        const error = await expectAuthError(harness.create(), 'store-unavailable');
        expect(error.message).to.contain(harness.database).and.to.contain(`version ${future}`).and.to.contain(`version ${LATEST_SCHEMA_VERSION}`);
        const tables = await harness.sql("SELECT relname FROM pg_class WHERE relnamespace = 'multipassd'::regnamespace AND relkind = 'r' ORDER BY 1");
        expect(tables).to.deep.equal([{ relname: 'schema_version' }, { relname: 'trusted_clients' }]);
      });

      it('reports a schema holding tables that are not its own as a fault, refuses to add over it, and leaves it untouched', async () => {
        await harness.sql('CREATE SCHEMA multipassd; CREATE TABLE multipassd.trusted_certificates (fingerprint text)');
        const store = await harness.create();
        expect(store.fault()).to.contain(harness.database).and.to.contain('not a multipassd store');
        expect(store.size()).to.equal(0);
        const error = await expectAuthError(store.add(trusted(a)), 'store-unavailable');
        expect(error.message).to.contain('not a multipassd store');
        await store.refresh();
        expect(store.fault()).to.be.a('string');
        expect(await harness.sql('SELECT count(*)::int AS n FROM multipassd.trusted_certificates')).to.deep.equal([{ n: 0 }]);
      });

      it('reports a schema that lost one of its tables as a fault naming it', async () => {
        await harness.create();
        await harness.sql('DROP TABLE multipassd.settings');
        const store = await harness.reopen();
        expect(store.fault()).to.contain('lacks the table(s) settings');
      });

      it('treats a schema dropped under a running daemon as a fresh start', async () => {
        const store = await harness.create();
        await store.add(trusted(a));
        await harness.erase();
        await store.refresh();
        await timeUntil(() => store.size() === 0, 2000, 'emptied');
        expect(store.fault()).to.equal(undefined);
        await store.add(trusted(b));
        expect(certificatesOf(await (await harness.reopen()).list())).to.deep.equal([trusted(b)]);
      });

      it('refuses a fingerprint that is not 64 lowercase hex digits in the table itself', async () => {
        await harness.create();
        const error = await harness.plant({ fingerprint: 'AB:CD' as never, pem: a.pem }).catch((caught: unknown) => caught);
        expect(error).to.have.property('code', '23514');
      });
    });

    describe('the last copy', () => {
      it("keeps this host's copy of the trusted fingerprints in a 0600 file, naming the database but never the password", async () => {
        const store = await harness.open({ url: cluster().tcpUrl(harness.database, 'sslmode=disable') });
        await store.addAll([trusted(a), trusted(b)]);
        await store.close();
        expect(statSync(harness.lastCopyPath).mode & 0o777).to.equal(0o600);
        const copy = JSON.parse(readFileSync(harness.lastCopyPath, 'utf8'));
        expect(copy.fingerprints).to.have.members([a.fingerprint, b.fingerprint]);
        expect(copy.database).to.equal(`${cluster().role.name}@127.0.0.1:${cluster().port}/${harness.database}`);
        expect(readFileSync(harness.lastCopyPath, 'utf8')).not.to.contain(cluster().role.password);
      });
    });

    describe('when the database goes away', () => {
      it('keeps answering from its copy, refuses writes with store-offline, starts from the last copy (or faulted without one), and catches up when it is back', async function () {
        this.timeout(30_000);
        const pg = cluster();
        const logger = new RecordingLoggerFake();
        const running = await harness.open({ logger });
        await running.addAll([trusted(a), trusted(b)]);
        await pg.stop();
        let restarted = false;
        try {
          expect(running.contains(a.fingerprint), 'trusted calls go on').to.equal(true);
          await running.refresh();
          const refused = await expectAuthError(running.add(trusted(c)), 'store-offline');
          expect(refused.message).to.equal(STORE_OFFLINE_MESSAGE);
          expect((refused.cause as Error).message).to.contain(harness.database).and.to.contain('cannot be reached');
          await expectAuthError(running.remove(a.fingerprint), 'store-offline');
          expect(running.contains(a.fingerprint)).to.equal(true);

          const restartedLogger = new RecordingLoggerFake();
          const fromCopy = await harness.open({ logger: restartedLogger });
          expect(fromCopy.fault()).to.equal(undefined);
          expect([fromCopy.contains(a.fingerprint), fromCopy.contains(b.fingerprint), fromCopy.size()]).to.deep.equal([true, true, 2]);
          expect(restartedLogger.lines.some((line) => line.level === 'warn' && line.message.includes('last copy'))).to.equal(true);

          // Another host, with no copy of its own.
          const elsewhere = makeTempDir('mpa-pgh-');
          let noCopy: PostgresCertStore;
          try {
            noCopy = await harness.open({ logger: new RecordingLoggerFake(), lastCopyPath: join(elsewhere.path, 'copy.json') });
          } finally {
            elsewhere.remove();
          }
          expect(noCopy.fault()).to.contain('Cannot reach the PostgreSQL store').and.to.contain(harness.database).and.to.contain('nobody is trusted');
          expect(noCopy.size()).to.equal(0);

          await pg.start();
          restarted = true;
          await timeUntil(() => noCopy.fault() === undefined && noCopy.size() === 2, 10_000, 'the host without a copy catches up');
          await timeUntil(() => running.contains(a.fingerprint) && fromCopy.size() === 2, 10_000, 'all reconnected');
          expect(await running.add(trusted(c))).to.equal(true);
          await (await harness.reopen()).remove(a.fingerprint);
          for (const store of [running, fromCopy, noCopy]) {
            await timeUntil(() => !store.contains(a.fingerprint) && store.contains(c.fingerprint), 2000, 'changes after the outage');
          }
        } finally {
          if (!restarted) await pg.start();
        }
        const outage = logger.lines.filter((line) => line.message.startsWith('lost the connection'));
        const recovery = logger.lines.filter((line) => line.message.startsWith('reconnected'));
        expect([outage.length, recovery.length], 'the outage and the recovery logged once each').to.deep.equal([1, 1]);
      });
    });

    describe('connection URL', () => {
      it('never logs the password, nor puts it in a fault or an error, when the login is refused', async () => {
        const pg = cluster();
        const wrong = `postgresql://${pg.role.name}:not-${pg.role.password}@127.0.0.1:${pg.port}/${harness.database}?sslmode=disable`;
        const logger = new RecordingLoggerFake();
        const store = await harness.open({ logger, url: wrong });
        const fault = store.fault() ?? '';
        expect(fault).to.contain('password authentication failed');
        const error = await expectAuthError(store.add(trusted(a)), 'store-offline');
        for (const text of [fault, everything(logger), error.message, String((error.cause as Error).message)]) {
          expect(text).not.to.contain(pg.role.password);
        }
      });

      it('connects with TLS when the URL asks for verify-full with the CA, and without it when it says disable', async () => {
        const pg = cluster();
        const caFile = join(dirname(harness.lastCopyPath), '..', 'ca.pem');
        writeFileSync(caFile, pg.ca ?? '');
        const tlsOf = async () =>
          harness.sql<{ ssl: boolean }>(
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'multipassd' AND a.datname = current_database()",
          );
        const secure = await harness.open({ url: pg.tcpUrl(harness.database, `sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`) });
        expect(secure.fault()).to.equal(undefined);
        expect((await tlsOf()).map((row) => row.ssl)).to.include(true).and.not.to.include(false);
        await secure.close();
        const plain = await harness.open({ url: pg.tcpUrl(harness.database, 'sslmode=disable') });
        expect(plain.fault()).to.equal(undefined);
        expect((await tlsOf()).map((row) => row.ssl)).to.include(false).and.not.to.include(true);
      });

      it('refuses a server whose certificate does not chain to the CA the URL names, as unreachable', async () => {
        const pg = cluster();
        const otherCa = join(dirname(harness.lastCopyPath), '..', 'other-ca.pem');
        writeFileSync(otherCa, (await testCertificatePool(1))[0]!.pem);
        const store = await harness.open({ url: pg.tcpUrl(harness.database, `sslmode=verify-full&sslrootcert=${encodeURIComponent(otherCa)}`) });
        expect(store.fault()).to.match(/certificate/i);
        expect(AuthError.is(await store.add(trusted(a)).catch((error: unknown) => error), 'store-offline')).to.equal(true);
      });
    });
  });
});
