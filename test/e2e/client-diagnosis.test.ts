import { expect } from 'chai';
import { chmodSync, chownSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliUser } from '../support/cli-process.js';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { NOBODY } from '../support/nobody.js';
import { cannotRunAsAnotherUser } from '../support/other-user.js';
import { makeTempDir } from '../support/temp-dir.js';

const certDir = (home: string) => join(home, '.local', 'share', 'multipass-client-certificate');
const fingerprintIn = (text: string): string => /Fingerprint: +([0-9a-f]{64})/.exec(text)?.[1] ?? '';

describe('multipass whoami and doctor', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  const socket = () => join(temp.path, 'sock');
  const dataDir = () => join(temp.path, 'data');

  beforeEach(() => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
  });
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    temp.remove();
  });

  const start = async (...args: string[]) => {
    daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${socket()}`, ...args] });
  };
  const user = (name: string, uid?: number): CliUser => {
    const home = join(temp.path, `home-${name}`);
    mkdirSync(home, { recursive: true });
    if (uid !== undefined) chownSync(home, uid, uid);
    return {
      home,
      address: `unix:${socket()}`,
      rootCertPath: join(dataDir(), 'certificate', 'multipass_root_cert.pem'),
      ...(uid === undefined ? {} : { uid, gid: uid }),
    };
  };
  const needsNobody = (context: Mocha.Context) => {
    const reason = cannotRunAsAnotherUser();
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`);
      context.skip();
    }
  };

  it('whoami says whether this client is trusted, its fingerprint, and since when', async () => {
    await start();
    const root = user('root');
    const before = await runCli(root, ['whoami']);
    expect(before.code).to.equal(0);
    expect(before.stdout).to.match(/^Trusted: +no\n/).and.to.contain("your first command, such as 'multipass list', will trust this client.");
    expect((await runCli(root, ['list'])).code).to.equal(0);
    const after = await runCli(root, ['whoami']);
    expect(after.stdout).to.match(/^Trusted: +yes\nFingerprint: +[0-9a-f]{64}\n/).and.to.match(/\nTrusted since: +\d{4}-\S+Z \(via bootstrap\)\n/);
    expect(fingerprintIn(after.stdout)).to.equal(fingerprintIn(before.stdout));
    expect((await runCli(root, ['authenticate', '--status'])).stdout).to.equal(after.stdout);
  });

  it('doctor says the daemon is not running, where it looked, and how to start it', async () => {
    const result = await runCli(user('root'), ['doctor']);
    expect(result.code).to.equal(2);
    expect(result.stdout).to.contain(`ok:      The daemon's address is unix:${socket()}\n         (from MULTIPASS_SERVER_ADDRESS).\n`);
    expect(result.stdout).to.contain(`problem: There is no socket at '${socket()}': multipassd is not running there.\n`);
    expect(result.stdout).to.match(/1 problem found\.\n$/);
  });

  it('doctor tells a user the restricted socket refuses, with its mode and group and who can fix it', async function () {
    needsNobody(this);
    await start('--socket-group', 'root');
    const nobody = user('nobody', NOBODY);
    const result = await runCli(nobody, ['doctor']);
    expect(result.code).to.equal(2);
    expect(result.stdout).to.contain(
      `problem: This user, nobody (uid 65534), may not connect to the socket '${socket()}' (mode 0660, owner root, group root).\n` +
        "         multipassd keeps it so while nobody is trusted: only root and the group 'root' may connect,\n",
    );
    expect(result.stdout).to.contain(`           sudo multipassd trust add ${join(certDir(nobody.home), 'multipass_cert.pem')}\n`);
  });

  it('doctor explains the #2552 deadlock (untrusted, no passphrase) with the exact trust add line, which works', async function () {
    needsNobody(this);
    await start('--socket-group', 'root');
    expect((await runCli(user('root'), ['list'])).code, 'root bootstraps').to.equal(0);
    const nobody = user('nobody', NOBODY);
    const result = await runCli(nobody, ['doctor']);
    expect(result.code).to.equal(2);
    expect(result.stdout).to.contain("         Nobody can enrol: no passphrase is set and no enrolment token is active, so\n");
    expect(result.stdout).to.contain("         Ask an administrator (root or a member of the group 'root') to trust this client with:\n");
    const line = /^ +sudo (multipassd trust add \S+)$/m.exec(result.stdout)?.[1];
    expect(line).to.equal(`multipassd trust add ${join(certDir(nobody.home), 'multipass_cert.pem')}`);

    const added = await runDaemonCommand([...line!.split(' ').slice(1), '--data-dir', dataDir(), '--address', `unix:${socket()}`]);
    expect(added.code, added.stderr).to.equal(0);
    expect((await runCli(nobody, ['whoami'])).stdout).to.match(/^Trusted: +yes\n/);
    expect((await runCli(nobody, ['doctor'])).stdout).to.match(/and trusts this client\n.*\(via admin\)\.\nNo problems found\.\n$/);
  });

  it('doctor says the client certificate was replaced when this user had another one trusted', async () => {
    await start();
    const root = user('root');
    const old = fingerprintIn((await runCli(root, ['whoami'])).stdout);
    expect((await runCli(root, ['list'])).code).to.equal(0);
    rmSync(certDir(root.home), { recursive: true });
    const result = await runCli(root, ['doctor']);
    expect(result.code).to.equal(2);
    expect(result.stdout).to.match(new RegExp(`This user \\(uid 0\\) enrolled another certificate, ${old}, trusted since \\S+ \\(via bootstrap\\)`));
    expect(result.stdout).to.contain(`the client certificate in '${certDir(root.home)}' was replaced.`);
    expect(result.stdout).to.contain('You may administer trust yourself; trust this client with:');
  });

  it('multipassd warns at start, and its doctor says, that `store:` was switched without migrate-store', async () => {
    await start('--store', 'pem');
    expect((await runCli(user('root'), ['list'])).code).to.equal(0);
    await daemon!.stop();
    await start('--store', 'sqlite');
    const warning = daemon!.stderr().split('\n').find((line) => line.includes('switched without'));
    expect(warning, 'logged at start').to.contain('"level":40').and.to.contain('multipassd migrate-store --to sqlite');
    const result = await runDaemonCommand(['doctor', '--data-dir', dataDir(), '--store', 'sqlite', '--address', `unix:${socket()}`]);
    expect(result.code).to.equal(2);
    expect(result.stdout).to.contain(
      'problem: The sqlite store selected by the configuration holds no certificate, but the pem store ' +
        `(${join(dataDir(), 'authenticated-certs', 'multipass_client_certs.pem')}) holds 1: \`store:\` was switched without \`migrate-store\``,
    );
    expect(result.stdout).to.contain('`multipassd migrate-store --to sqlite`');
    const fine = await runDaemonCommand(['doctor', '--data-dir', dataDir(), '--store', 'pem']);
    expect(fine.stdout, 'the pem store itself is fine').to.contain('ok:      The pem store is readable: 1 trusted certificate(s).\n');
  });
});
