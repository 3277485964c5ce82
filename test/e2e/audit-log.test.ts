import { expect } from 'chai';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliUser } from '../support/cli-process.js';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { NOBODY, nobodyCannotRun } from '../support/nobody.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';


interface AuditJson {
  readonly time: string;
  readonly event: string;
  readonly outcome: string;
  readonly fingerprint: string | null;
  readonly peer: { uid: number | null; user: string | null } | null;
  readonly reason: string | null;
  readonly via: string | null;
  readonly label: string | null;
  readonly token_id: string | null;
}

describe('the audit log, end to end', function () {
  this.timeout(90_000);
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;
  let dataDir: string;

  const admin = (...args: string[]) => runDaemonCommand([...args, '--data-dir', dataDir]);
  const audit = async (...args: string[]): Promise<AuditJson[]> => {
    const shown = await admin('audit', '--format', 'json', ...args);
    expect(shown.code, shown.stderr).to.equal(0);
    return (JSON.parse(shown.stdout) as { events: AuditJson[] }).events;
  };
  const user = (name: string): CliUser => {
    const home = join(temp.path, `home-${name}`);
    mkdirSync(home, { recursive: true });
    return { home, address: daemon.address, rootCertPath: daemon.rootCertPath };
  };

  beforeEach(async () => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
    dataDir = join(temp.path, 'data');
    daemon = await startDaemonProcess({ dataDir, args: ['--address', `unix:${temp.path}/sock`] });
  });

  afterEach(async () => {
    await daemon.stop();
    temp.remove();
  });

  it('records every trust change and refused enrolment, from the daemon and the admin commands, and never a secret', async () => {
    const root = user('admin');
    expect((await runCli(root, ['version'])).code).to.equal(0);
    expect((await runCli(root, ['set', 'local.passphrase=the-long-lived-passphrase'])).code).to.equal(0);
    const bob = user('bob');
    expect((await runCli(bob, ['authenticate', 'a-wrong-guess'])).code).to.equal(2);
    expect((await runCli(bob, ['authenticate', 'the-long-lived-passphrase'])).code).to.equal(0);
    const issued = await admin('trust', 'token', '--label', 'for carol');
    const token = /mpt-[a-z2-7]{32}/.exec(issued.stdout)?.[0] as string;
    const tokenId = /^ID: +(\S+)$/m.exec(issued.stdout)?.[1];
    expect((await runCli(user('carol'), ['authenticate', token])).code).to.equal(0);
    expect((await runCli(user('dan'), ['authenticate', token])).code).to.equal(2);
    const revoked = /^ID: +(\S+)$/m.exec((await admin('trust', 'token')).stdout)?.[1] as string;
    expect((await admin('trust', 'token', 'revoke', revoked)).code).to.equal(0);
    const extra = await makeTestCertificate('extra');
    writeFileSync(join(temp.path, 'extra.pem'), extra.pem);
    expect((await admin('trust', 'add', join(temp.path, 'extra.pem'))).code).to.equal(0);
    expect((await admin('trust', 'label', extra.fingerprint, 'spare')).code).to.equal(0);
    expect((await admin('trust', 'remove', extra.fingerprint)).code).to.equal(0);

    const events = await audit();
    expect(events.map((event) => [event.event, event.outcome, event.via, event.reason])).to.deep.equal([
      ['trust.bootstrap', 'ok', 'bootstrap', null],
      ['trust.enrol.refused', 'refused', 'passphrase', 'passphrase-mismatch'],
      ['trust.enrol', 'ok', 'passphrase', null],
      ['token.issue', 'ok', null, null],
      ['trust.enrol', 'ok', 'token', null],
      ['trust.enrol.refused', 'refused', 'token', 'token-used'],
      ['token.issue', 'ok', null, null],
      ['token.revoke', 'ok', null, null],
      ['trust.add', 'ok', 'admin', null],
      ['trust.label', 'ok', null, null],
      ['trust.remove', 'ok', null, null],
    ]);
    expect(events[4]).to.include({ token_id: tokenId, label: 'for carol' });
    expect(events[10]).to.include({ fingerprint: extra.fingerprint });
    for (const event of events) expect(event.peer).to.include({ uid: 0, user: 'root' });

    const file = join(dataDir, 'audit.log');
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).to.have.length(events.length);
    for (const line of lines) expect(() => JSON.parse(line)).not.to.throw();
    const text = readFileSync(file, 'utf8');
    for (const secret of ['the-long-lived-passphrase', 'a-wrong-guess', token.slice(4)]) expect(text).not.to.contain(secret);
  });

  it('shows events since a duration or a time, as a table, and keeps them across a restart', async () => {
    expect((await runCli(user('admin'), ['list'])).code).to.equal(0);
    await daemon.stop();
    daemon = await startDaemonProcess({ dataDir, args: ['--address', `unix:${temp.path}/sock`] });
    const cutoff = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await runCli(user('eve'), ['authenticate', 'anything'])).code).to.equal(2);

    expect((await audit()).map((event) => event.event)).to.deep.equal(['trust.bootstrap', 'trust.enrol.refused']);
    expect((await audit('--since', cutoff.toISOString())).map((event) => event.event)).to.deep.equal(['trust.enrol.refused']);
    expect((await audit('--since', '1h')).map((event) => event.event)).to.have.length(2);
    expect(await audit('--since', '2999-01-01T00:00Z')).to.deep.equal([]);

    const table = await admin('audit');
    expect(table.code).to.equal(0);
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]).to.match(/^TIME +EVENT +OUTCOME +FINGERPRINT +PEER +DETAILS$/);
    expect(rows[2]).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +trust\.enrol\.refused +refused +[0-9a-f]{16} +root \(0\) +via=passphrase reason=no-passphrase-set$/);
    const bad = await admin('audit', '--since', 'yesterday');
    expect(bad).to.include({ code: 1 });
    expect(bad.stderr).to.contain("--since: 'yesterday' is neither a duration");
  });

  it('records a refused bootstrap by a user outside the admin group, once however often it calls', async function () {
    const reason = nobodyCannotRun();
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    await daemon.stop();
    daemon = await startDaemonProcess({ dataDir, args: ['--address', `unix:${temp.path}/sock`, '--socket-group', 'root'] });
    chmodSync(join(temp.path, 'sock'), 0o666);
    const home = join(temp.path, 'home-nobody');
    mkdirSync(home);
    chownSync(home, NOBODY, NOBODY);
    const nobody: CliUser = { home, address: daemon.address, rootCertPath: daemon.rootCertPath, uid: NOBODY, gid: NOBODY };
    for (let call = 0; call < 3; call += 1) expect((await runCli(nobody, ['list'])).code).to.equal(2);
    const events = await audit();
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ event: 'trust.bootstrap.refused', outcome: 'refused', reason: 'not-admin' });
    expect(events[0]?.peer).to.include({ uid: NOBODY, user: 'nobody' });
  });

  it('keeps the daemon serving and enrolling when the audit log cannot be written, with a warning', async () => {
    expect((await runCli(user('admin'), ['set', 'local.passphrase=pass'])).code).to.equal(0);
    const file = join(dataDir, 'audit.log');
    // A directory where the log belongs: no append can succeed.
    rmSync(file);
    mkdirSync(file);
    expect((await runCli(user('fay'), ['authenticate', 'pass'])).code).to.equal(0);
    expect((await runCli(user('fay'), ['list'])).code).to.equal(0);
    expect(daemon.stderr()).to.contain('cannot write the audit log');
    const added = await makeTestCertificate('offline');
    writeFileSync(join(temp.path, 'offline.pem'), added.pem);
    const result = await admin('trust', 'add', join(temp.path, 'offline.pem'));
    expect(result.code).to.equal(0);
    expect(result.stdout).to.equal(`Trusted ${added.fingerprint}\n`);
    expect(result.stderr).to.match(/^multipassd: warning: the change was made, but cannot write the audit log '.*audit\.log': /m);
  });
});
