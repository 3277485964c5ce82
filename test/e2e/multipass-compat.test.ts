import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEcCertificate } from '../../src/adapters/crypto/x509-keys.js';
import { runCli, type CliUser } from '../support/cli-process.js';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';

const DAY = 24 * 60 * 60 * 1000;
const CERT_DIR = '.local/share/multipass-client-certificate';

/** The built CLI against the built daemon: the answers and formats a Multipass user expects. */
describe('multipass, answering as Multipass does, end to end', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;
  let socketPath: string;
  let admin: CliUser;

  const user = (name: string): CliUser => {
    const home = join(temp.path, `home-${name}`);
    mkdirSync(home, { recursive: true });
    return { home, address: daemon.address, rootCertPath: daemon.rootCertPath };
  };

  beforeEach(async () => {
    temp = makeTempDir();
    socketPath = join(temp.path, 'multipass_socket');
    daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${socketPath}`] });
    admin = user('admin');
    const first = await runCli(admin, ['list']);
    expect(first.code, `the first client is trusted: ${first.stderr}`).to.equal(0);
  });

  afterEach(async () => {
    await daemon.stop();
    temp.remove();
  });

  it('lists the keys the daemon serves with get --keys', async () => {
    expect(await runCli(admin, ['get', '--keys'])).to.include({ code: 0, stdout: 'local.passphrase\n', stderr: '' });
  });

  it('answers list --snapshots, list --no-ipv4 and list --format as Multipass does', async () => {
    expect(await runCli(admin, ['list', '--snapshots'])).to.include({ code: 0, stdout: 'No snapshots found.\n' });
    expect(await runCli(admin, ['list', '--snapshots', '--format', 'csv'])).to.include({
      code: 0,
      stdout: 'Instance,Snapshot,Parent,Comment\n',
    });
    expect(await runCli(admin, ['ls', '--no-ipv4'])).to.include({ code: 0, stdout: 'No instances found.\n' });
    expect(await runCli(admin, ['list', '--format', 'json'])).to.include({ code: 0, stdout: '{\n    "list": [\n    ]\n}\n' });
  });

  it('answers version --format json with both versions', async () => {
    const result = await runCli(admin, ['version', '--format', 'json']);
    expect(result.code).to.equal(0);
    expect(JSON.parse(result.stdout)).to.have.keys(['multipass', 'multipassd']);
  });

  it("prints the daemon's log lines on stderr with -vvv, never a passphrase, and none without", async () => {
    expect((await runCli(admin, ['list'])).stderr).to.equal('');
    const loud = await runCli(admin, ['-vvv', 'list']);
    expect(loud).to.include({ code: 0, stdout: 'No instances found.\n' });
    // Only the daemon's line, besides the CLI's own ([client], client-verbosity.test.ts).
    const daemonLines = loud.stderr.split(/(?<=\n)/).filter((line) => !line.includes('] [client] '));
    expect(daemonLines.join('')).to.match(/^\[[^\]]+\] \[debug\] \[rpc\] Listing 0 instances\n$/);
    const set = await runCli(admin, ['-vvvv', 'set', 'local.passphrase=plain-text-passphrase']);
    expect(set.code).to.equal(0);
    expect(set.stderr).to.contain('[debug] [rpc] Setting local.passphrase');
    expect(set.stderr).not.to.contain('plain-text-passphrase');
    expect(await runCli(admin, ['-vvvv', 'get', 'local.passphrase'])).to.include({ code: 0, stdout: 'true\n' });
  });

  it('parses set and get as Multipass does, with its exit codes', async () => {
    expect(await runCli(admin, ['set', 'local.passphrase=a=b'])).to.include({ code: 1, stderr: 'Bad key-value format.\n' });
    expect(await runCli(admin, ['get', 'foo'])).to.include({ code: 1, stderr: "Unrecognized settings key: 'foo'\n" });
    expect(await runCli(admin, ['get', 'local.nope'])).to.include({
      code: 2,
      stderr: "get failed: Unrecognized settings key: 'local.nope'\n",
    });
    expect(await runCli(admin, ['get', 'local.passphrase'])).to.include({ code: 0, stdout: 'false\n' });
  });

  it('takes a bare socket path in MULTIPASS_SERVER_ADDRESS', async () => {
    expect(await runCli({ ...admin, address: socketPath }, ['list'])).to.include({ code: 0, stdout: 'No instances found.\n' });
  });

  it('keeps an expired client certificate and says how to renew it, whatever the daemon decides', async () => {
    const old = user('old');
    const dir = join(old.home, CERT_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const expiredOn = new Date(Date.now() - 10 * DAY);
    const pair = await createEcCertificate({
      profile: 'client',
      subject: 'CN=multipass-client-expired',
      notBefore: new Date(expiredOn.getTime() - 365 * DAY),
      notAfter: expiredOn,
    });
    writeFileSync(join(dir, 'multipass_cert.pem'), pair.certPem);
    writeFileSync(join(dir, 'multipass_cert_key.pem'), pair.keyPem, { mode: 0o600 });

    // version exits 0 whether the daemon accepts the certificate or not.
    const result = await runCli(old, ['version']);
    expect(result.code).to.equal(0);
    expect(result.stderr).to.contain(
      `warning: the client certificate in '${dir}' expired on ${expiredOn.toISOString().slice(0, 10)} and is still used`,
    );
    expect(readFileSync(join(dir, 'multipass_cert.pem'), 'utf8')).to.equal(pair.certPem);
    expect(readFileSync(join(dir, 'multipass_cert_key.pem'), 'utf8')).to.equal(pair.keyPem);
  });
});
