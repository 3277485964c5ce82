import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { DAEMON_IDENTITY_FILES, ensureDaemonIdentity, serverRenewalDue, type DaemonIdentity } from '../../../src/adapters/crypto/daemon-identity.js';
import {
  IDENTITY_CHECK_MAX_MS,
  IDENTITY_RETRY_MS,
  keepServerIdentityRenewed,
  type IdentityRenewal,
} from '../../../src/app/server-identity-renewal.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakeScheduler } from '../../support/fakes/fake-scheduler.js';
import { RecordingLoggerFake } from '../../support/fakes/recording-logger-fake.js';
import { makeTempDir } from '../../support/temp-dir.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe('keepServerIdentityRenewed', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let dir: string;
  let clock: FakeClock;
  let scheduler: FakeScheduler;
  let logger: RecordingLoggerFake;
  let initial: DaemonIdentity;
  let swapped: DaemonIdentity[];
  let renewal: IdentityRenewal | undefined;

  beforeEach(async () => {
    temp = makeTempDir();
    dir = join(temp.path, 'certificate');
    clock = new FakeClock(new Date());
    scheduler = new FakeScheduler(clock);
    logger = new RecordingLoggerFake();
    initial = await ensureDaemonIdentity(dir, undefined, clock.now());
    swapped = [];
  });
  afterEach(async () => {
    await renewal?.stop();
    renewal = undefined;
    temp.remove();
  });

  const start = () => {
    renewal = keepServerIdentityRenewed(initial, { location: dir, clock, scheduler, logger, swap: (identity) => swapped.push(identity) });
  };
  /** Runs what falls due in `ms`, then waits for the check's real file work to schedule the next one. */
  const runFor = async (ms: number) => {
    await scheduler.advance(ms);
    for (let waited = 0; scheduler.pending() === 0 && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(scheduler.pending(), 'the next check is scheduled').to.equal(1);
  };
  const file = (name: keyof typeof DAEMON_IDENTITY_FILES) => readFileSync(join(dir, DAEMON_IDENTITY_FILES[name]), 'utf8');

  it('checks at least every 12 hours and changes nothing before the certificate is due', async () => {
    start();
    await runFor(IDENTITY_CHECK_MAX_MS);
    await runFor(IDENTITY_CHECK_MAX_MS);

    expect(swapped).to.deep.equal([]);
    expect(file('serverCert')).to.equal(initial.serverCertPem);
  });

  it('reissues the server certificate from the same root CA when it falls due, and swaps it in', async () => {
    const due = serverRenewalDue(initial).getTime();
    expect(due - clock.now().getTime(), 'two months before a two-year expiry').to.be.within(660 * DAY, 670 * DAY);
    start();
    clock.set(new Date(due - HOUR));
    await runFor(0);
    expect(swapped, 'an hour early').to.deep.equal([]);

    await runFor(HOUR + 1000);

    expect(swapped).to.have.length(1);
    const renewed = swapped[0]!;
    const [before, after] = [new X509Certificate(initial.serverCertPem), new X509Certificate(renewed.serverCertPem)];
    expect(after.serialNumber).to.not.equal(before.serialNumber);
    expect(renewed.rootCertPem).to.equal(initial.rootCertPem);
    expect(after.checkIssued(new X509Certificate(initial.rootCertPem))).to.equal(true);
    expect(after.verify(new X509Certificate(initial.rootCertPem).publicKey)).to.equal(true);
    expect(new Date(after.validTo).getTime()).to.be.greaterThan(clock.now().getTime() + 700 * DAY);
    expect(file('serverCert'), 'written to disk').to.equal(renewed.serverCertPem);
    expect(file('serverKey')).to.equal(renewed.serverKeyPem);
    expect(logger.lines.map((line) => line.message)).to.include('serving the renewed server certificate to new connections');

    await runFor(IDENTITY_CHECK_MAX_MS);
    expect(swapped, 'the renewed one is not due again').to.have.length(1);
  });

  it('logs a failed renewal and tries again an hour later', async () => {
    start();
    clock.set(new Date(serverRenewalDue(initial).getTime() + 1000));
    const serverCert = join(dir, DAEMON_IDENTITY_FILES.serverCert);
    rmSync(serverCert);
    symlinkSync(join(temp.path, 'elsewhere.pem'), serverCert);

    await runFor(0);
    expect(swapped).to.deep.equal([]);
    expect(logger.lines.find((line) => line.level === 'warn')?.message).to.equal('cannot renew the server certificate; will try again');

    rmSync(serverCert);
    await runFor(IDENTITY_RETRY_MS - 1000);
    expect(swapped, 'not before the retry').to.deep.equal([]);
    await runFor(1000);
    expect(swapped).to.have.length(1);
  });

  it('stops checking once stopped', async () => {
    start();
    await renewal!.stop();
    expect(scheduler.pending()).to.equal(0);
  });
});
