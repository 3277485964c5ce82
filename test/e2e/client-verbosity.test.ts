import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliUser } from '../support/cli-process.js';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';

/** `multipass -v` ... `-vvvv` show what the client does, on stderr; stdout stays the command's answer. */
describe('multipass -v ... -vvvv', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;
  let admin: CliUser;

  const user = (name: string): CliUser => {
    const home = join(temp.path, `home-${name}`);
    mkdirSync(home);
    return { home, address: daemon.address, rootCertPath: daemon.rootCertPath };
  };
  const certFile = (who: CliUser) => join(who.home, '.local', 'share', 'multipass-client-certificate', 'multipass_cert.pem');
  const fingerprint = (who: CliUser) => new X509Certificate(readFileSync(certFile(who))).fingerprint256.replace(/:/g, '').toLowerCase();

  before(async () => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
    daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${temp.path}/sock`] });
    admin = user('admin');
    expect((await runCli(admin, ['list'])).code, 'the first client is trusted').to.equal(0);
  });
  after(async () => {
    await daemon.stop();
    temp.remove();
  });

  it('adds nothing without -v', async () => {
    expect(await runCli(admin, ['list'])).to.deep.equal({ code: 0, stdout: 'No instances found.\n', stderr: '' });
  });

  it('-v: names the address it connects to and the certificate files it uses, on stderr only', async () => {
    const result = await runCli(admin, ['list', '-v']);
    expect(result).to.include({ code: 0, stdout: 'No instances found.\n' });
    expect(result.stderr).to.contain(`[client] daemon address: ${daemon.address}\n`);
    expect(result.stderr).to.contain(`[client] daemon root certificate: ${daemon.rootCertPath}\n`);
    expect(result.stderr).to.contain(`[client] client certificate: ${certFile(admin)}\n`);
    expect(result.stderr).not.to.contain('calling');
  });

  it("-vv: each call and its outcome, and this client's fingerprint as trust list shows it", async () => {
    const result = await runCli(admin, ['-vv', 'list']);
    expect(result).to.include({ code: 0, stdout: 'No instances found.\n' });
    expect(result.stderr).to.contain(`[client] connecting to ${daemon.address}\n`);
    expect(result.stderr).to.contain(`this client's certificate fingerprint: ${fingerprint(admin)}\n`);
    expect(result.stderr).to.contain('[client] calling /multipass.Rpc/list\n');
    expect(result.stderr).to.match(/\[client\] \/multipass\.Rpc\/list: OK in \d+ ms\n/);
    expect(result.stderr, 'the daemon lines come at -vvv').not.to.contain('[rpc]');
  });

  it("-vv: a refused call's status", async () => {
    const result = await runCli(user('stranger'), ['list', '-vv']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/\[client\] \/multipass\.Rpc\/list: UNAUTHENTICATED \(.+\) in \d+ ms\n/);
  });

  it("-vvv: the daemon's log lines for the call as well", async () => {
    const result = await runCli(admin, ['list', '-vvv']);
    expect(result).to.include({ code: 0, stdout: 'No instances found.\n' });
    expect(result.stderr).to.match(/\[debug\] \[rpc\] Listing 0 instances\n/);
    expect(result.stderr).to.contain('[client] calling /multipass.Rpc/list\n');
    expect(result.stderr).not.to.contain('[trace]');
  });

  it("-vv on whoami and doctor: their calls to the daemon's own service too", async () => {
    for (const command of [['whoami', '-vv'], ['authenticate', '--status', '-vv'], ['doctor', '-vv']]) {
      const result = await runCli(admin, command);
      expect(result.code, `${command.join(' ')}: ${result.stderr}`).to.equal(0);
      expect(result.stderr, command.join(' ')).to.contain(`[client] daemon address: ${daemon.address}\n`);
      expect(result.stderr, command.join(' ')).to.match(/\[client\] \/multipassd\.Client\/whoami: OK in \d+ ms\n/);
    }
  });

  it("-vvvv: the TLS session, the daemon's certificate and the size of each message", async () => {
    const result = await runCli(admin, ['get', 'local.passphrase', '-vvvv']);
    expect(result).to.include({ code: 0, stdout: 'false\n' });
    expect(result.stderr).to.match(/\[trace\] \[client\] TLS TLSv1\.[23], cipher \S+, ALPN h2\n/);
    expect(result.stderr).to.match(/\[trace\] \[client\] daemon certificate: subject CN=localhost, issuer CN=[^,]+, valid .+ to .+, fingerprint [0-9a-f]{64}\n/);
    expect(result.stderr).to.match(/\[trace\] \[client\] \/multipass\.Rpc\/get: request of \d+ bytes\n/);
    expect(result.stderr).to.match(/\[trace\] \[client\] \/multipass\.Rpc\/get: reply of \d+ bytes\n/);
  });
});
