import { status, type Client } from '@grpc/grpc-js';
import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScryptPassphraseHasher } from '../../src/adapters/crypto/scrypt-passphrase-hasher.js';
import { STORE_OFFLINE_MESSAGE } from '../../src/adapters/stores/postgres/postgres-errors.js';
import { runCli } from '../support/cli-process.js';
import { makeMultipassFixture } from '../support/multipass-fixture.js';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wirePing, wireStream } from '../support/grpc-wire-client.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate, testCertificatePool, type TestCertificate } from '../support/test-certificates.js';

/** Milliseconds until `probe` answers `wanted`, polling every 10 ms; fails after `withinMs`. */
async function timeUntil(probe: () => Promise<status>, wanted: status, withinMs: number, what: string): Promise<number> {
  const start = performance.now();
  for (;;) {
    const code = await probe();
    if (code === wanted) return performance.now() - start;
    if (performance.now() - start > withinMs) expect.fail(`${what}: still ${status[code]} after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a fleet of two daemons sharing one PostgreSQL store', function () {
  this.timeout(90_000);
  const cluster = usePostgresCluster();
  let temp: ReturnType<typeof makeTempDir>;
  let url: string;
  let alice: TestCertificate, bob: TestCertificate;
  const daemons: DaemonProcess[] = [];
  const clients: Client[] = [];

  const dataDir = (host: string) => join(temp.path, host);
  const env = () => ({ MULTIPASSD_POSTGRES_URL: url });
  const admin = (host: string, ...args: string[]) => runDaemonCommand([...args, '--data-dir', dataDir(host), '--store', 'postgres'], env(), 60_000);
  const start = async (host: string, extraEnv: NodeJS.ProcessEnv = {}) => {
    const daemon = await startDaemonProcess({
      dataDir: dataDir(host),
      args: ['--address', `unix:${temp.path}/${host}.sock`, '--store', 'postgres'],
      env: { ...env(), ...extraEnv },
    });
    daemons.push(daemon);
    return daemon;
  };
  const client = (daemon: DaemonProcess, cert: TestCertificate) => {
    const made = wireClient(daemon.address, readFileSync(daemon.rootCertPath, 'utf8'), { certPem: cert.pem, keyPem: cert.keyPem });
    clients.push(made);
    return made;
  };
  const certFile = (cert: TestCertificate, name: string) => {
    const path = join(temp.path, `${name}.pem`);
    writeFileSync(path, cert.pem);
    return path;
  };
  const ping = (of: Client) => async () => (await wirePing(of)).code;

  before(async () => {
    alice = await makeTestCertificate('alice');
    bob = await makeTestCertificate('bob');
  });

  beforeEach(async () => {
    temp = makeTempDir('mpa-fleet-');
    const pg = cluster();
    // Over TCP with the role's password: the daemons' logs must never show it.
    url = pg.tcpUrl(await pg.createDatabase(), 'sslmode=disable');
  });

  afterEach(async () => {
    for (const made of clients.splice(0)) made.close();
    await Promise.all(daemons.splice(0).map((daemon) => daemon.stop()));
    temp.remove();
  });

  it('trusts nobody on first use; an admin trusts on one host, a passphrase enrols on one, and every host follows within a second, removals included', async () => {
    const [one, two] = [await start('one'), await start('two')];
    const aliceOnOne = client(one, alice);
    const aliceOnTwo = client(two, alice);
    const list = await wireStream(aliceOnOne, 'list', {});
    expect(list.code, 'no first-use trust with a shared store').to.equal(status.UNAUTHENTICATED);

    expect((await admin('one', 'trust', 'add', '--label', "alice's laptop", certFile(alice, 'alice'))).code).to.equal(0);
    const trustedElsewhere = await timeUntil(ping(aliceOnTwo), status.OK, 1000, 'alice on the other host');
    expect((await wireStream(aliceOnOne, 'list', {})).code).to.equal(status.OK);

    expect((await wireStream(aliceOnTwo, 'set', { key: 'local.passphrase', val: 'fleet-secret' })).code).to.equal(status.OK);
    const bobOnOne = client(one, bob);
    const bobOnTwo = client(two, bob);
    expect((await wireStream(bobOnOne, 'authenticate', { passphrase: 'fleet-secret' })).code, 'the passphrase set through the other host').to.equal(
      status.OK,
    );
    const enrolledElsewhere = await timeUntil(ping(bobOnTwo), status.OK, 1000, 'bob on the other host');

    const removal = await admin('two', 'trust', 'remove', bob.fingerprint);
    expect(removal.code, removal.stderr).to.equal(0);
    const refusedElsewhere = await timeUntil(ping(bobOnOne), status.UNAUTHENTICATED, 1000, 'bob refused on the other host');
    // Removed through host two's live admin channel, which ended bob's connection there at once:
    // a call on it fails, and bob is refused from then on.
    expect(await ping(bobOnTwo)()).to.not.equal(status.OK);
    expect(await ping(bobOnTwo)()).to.equal(status.UNAUTHENTICATED);
    console.log(
      `      (other host: trust add seen in ${trustedElsewhere.toFixed(0)} ms, enrolment in ${enrolledElsewhere.toFixed(0)} ms, ` +
        `removal in ${refusedElsewhere.toFixed(0)} ms after the command exited)`,
    );

    const listed = await admin('two', 'trust', 'list', '--format', 'json');
    const records = (JSON.parse(listed.stdout) as { certificates: Array<Record<string, unknown>> }).certificates;
    expect(records.map((record) => [record.fingerprint, record.via, record.label])).to.deep.equal([[alice.fingerprint, 'admin', "alice's laptop"]]);
    for (const daemon of daemons) expect(daemon.stderr()).not.to.contain(cluster().role.password);
  });

  it('keeps trusted clients working on every host while the database is down (also across a restart), refuses enrolment clearly, and catches up when it is back', async () => {
    const pg = cluster();
    let [one, two] = [await start('one'), await start('two')];
    expect((await admin('one', 'trust', 'add', certFile(alice, 'alice'))).code).to.equal(0);
    await timeUntil(ping(client(two, alice)), status.OK, 1000, 'alice on two');
    expect((await wireStream(client(one, alice), 'set', { key: 'local.passphrase', val: 'fleet-secret' })).code).to.equal(status.OK);
    const bobHome = join(temp.path, 'bob-home');
    mkdirSync(bobHome);

    await pg.stop();
    let restarted = false;
    try {
      expect(await ping(client(one, alice))()).to.equal(status.OK);
      expect(await ping(client(two, alice))()).to.equal(status.OK);

      const refused = await runCli({ home: bobHome, address: two.address, rootCertPath: two.rootCertPath }, ['authenticate', 'fleet-secret']);
      expect(refused.stderr).to.equal(`authenticate failed: ${STORE_OFFLINE_MESSAGE}\n`);
      expect(refused.code, 'a daemon failure, as Multipass counts UNAVAILABLE').to.equal(3);

      // A host restarted during the outage lets in whom its last copy trusts.
      await one.stop();
      daemons.splice(daemons.indexOf(one), 1);
      one = await start('one');
      expect(await ping(client(one, alice))()).to.equal(status.OK);
      expect(one.stderr()).to.contain('last copy');

      await pg.start();
      restarted = true;
    } finally {
      if (!restarted) await pg.start();
    }
    const bobUser = { home: bobHome, address: two.address, rootCertPath: two.rootCertPath };
    const start2 = performance.now();
    let enrolled = await runCli(bobUser, ['authenticate', 'fleet-secret']);
    while (enrolled.code !== 0 && performance.now() - start2 < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      enrolled = await runCli(bobUser, ['authenticate', 'fleet-secret']);
    }
    expect(enrolled.code, enrolled.stderr).to.equal(0);
    expect((await runCli({ ...bobUser, address: one.address, rootCertPath: one.rootCertPath }, ['list'])).code, 'bob on the other host').to.equal(0);

    expect((await admin('two', 'trust', 'remove', alice.fingerprint)).code).to.equal(0);
    await timeUntil(ping(client(one, alice)), status.UNAUTHENTICATED, 1000, 'alice refused on one after the outage');
    for (const daemon of [one, two]) {
      // A daemon's writes may go through its pool before its LISTEN connection is back from its
      // backoff (up to 5 s): the catch-up, and its log line, can come a little later.
      const until = performance.now() + 15_000;
      while (!daemon.stderr().includes('reconnected to the PostgreSQL store') && performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(daemon.stderr()).to.contain('reconnected to the PostgreSQL store');
      expect(daemon.stderr()).not.to.contain(pg.role.password);
    }
    expect(two.stderr().match(/lost the connection to the PostgreSQL store/g), 'the outage logged once').to.have.length(1);
  });

  it("does not adopt one host's Multipass install into the fleet's store at first start (import-multipass does, when asked)", async () => {
    const fixture = await makeMultipassFixture(join(temp.path, 'mp'));
    const daemon = await start('one', { MULTIPASSD_MULTIPASS_ROOT: fixture.root });
    expect(daemon.stderr()).not.to.contain('adopted');
    expect((await wirePing(client(daemon, fixture.clients[0]!))).code).to.equal(status.UNAUTHENTICATED);
    expect((await admin('one', 'trust', 'list')).stdout).to.equal('No trusted certificates.\n');
  });

  it('migrates pem -> postgres -> sqlite -> pem without losing a certificate, a record or a setting', async () => {
    const certs = await testCertificatePool(5);
    // Four appended by hand (records: file), one added by an admin with a label.
    mkdirSync(join(dataDir('origin'), 'authenticated-certs'), { recursive: true });
    writeFileSync(join(dataDir('origin'), 'authenticated-certs', 'multipass_client_certs.pem'), certs.slice(1).map((cert) => cert.pem).join(''));
    const labelled = await runDaemonCommand(['trust', 'add', '--label', 'first', certFile(certs[0]!, 'c0'), '--data-dir', dataDir('origin')]);
    expect(labelled.code, labelled.stderr).to.equal(0);
    const hash = await new ScryptPassphraseHasher().hash('pw');
    writeFileSync(join(dataDir('origin'), 'multipassd.conf'), `[local]\npassphrase=${hash}\n`);
    const listOf = async (host: string, store: string) => {
      const listed = await runDaemonCommand(['trust', 'list', '--format', 'json', '--data-dir', dataDir(host), '--store', store], env());
      expect(listed.code, listed.stderr).to.equal(0);
      return (JSON.parse(listed.stdout) as { certificates: unknown[] }).certificates;
    };
    const migrate = async (host: string, from: string, to: string) => {
      const result = await runDaemonCommand(['migrate-store', '--from', from, '--to', to, '--data-dir', dataDir(host)], env(), 60_000);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.contain(`Copied 5 certificate(s) (5 new) and 1 setting(s) from ${from} to ${to}; the copy is verified.`);
    };
    const original = await listOf('origin', 'pem');
    await migrate('origin', 'pem', 'postgres');
    mkdirSync(dataDir('elsewhere'));
    await migrate('elsewhere', 'postgres', 'sqlite');
    await migrate('elsewhere', 'sqlite', 'pem');
    for (const [host, store] of [['origin', 'postgres'], ['elsewhere', 'sqlite'], ['elsewhere', 'pem']] as const) {
      expect(await listOf(host, store), `${store} on ${host}`).to.deep.equal(original);
    }
    expect(readFileSync(join(dataDir('elsewhere'), 'multipassd.conf'), 'utf8')).to.contain(hash);
  });
});
