import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MULTIPASS_BIN } from '../support/binaries.js';
import { runCli, type CliUser } from '../support/cli-process.js';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { hasTmux, TmuxTerminal } from '../support/tmux-terminal.js';

const NOT_CORRECT = 'authenticate failed: Passphrase is not correct. Please try again.\n';
const TOKEN = /mpt-[a-z2-7]{32}/;

/** Every file under `dir`, as text (latin1: byte for byte). */
function everyFile(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) text += everyFile(path);
    else if (entry.isFile()) text += readFileSync(path).toString('latin1');
  }
  return text;
}

for (const store of ['pem', 'sqlite'] as const) {
  describe(`one-time enrolment tokens on the ${store} store`, function () {
    this.timeout(60_000);
    let temp: ReturnType<typeof makeTempDir>;
    let daemon: DaemonProcess;
    let dataDir: string;

    const admin = (...args: string[]) => runDaemonCommand([...args, '--data-dir', dataDir, '--store', store]);
    const issue = async (...args: string[]) => {
      const issued = await admin('trust', 'token', ...args);
      expect(issued.code, issued.stderr).to.equal(0);
      const id = /^ID: +(\S+)$/m.exec(issued.stdout)?.[1] as string;
      return { token: TOKEN.exec(issued.stdout)?.[0] as string, id, stdout: issued.stdout };
    };
    const user = (name: string): CliUser => {
      const home = join(temp.path, `home-${name}`);
      mkdirSync(home, { recursive: true });
      return { home, address: daemon.address, rootCertPath: daemon.rootCertPath };
    };
    /** The fingerprint of the client certificate the CLI made for `who`. */
    const fingerprintOf = (who: CliUser) => {
      const pem = readFileSync(join(who.home, '.local/share/multipass-client-certificate/multipass_cert.pem'), 'utf8');
      return new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
    };

    beforeEach(async () => {
      temp = makeTempDir();
      chmodSync(temp.path, 0o755);
      dataDir = join(temp.path, 'data');
      daemon = await startDaemonProcess({ dataDir, args: ['--address', `unix:${temp.path}/sock`, '--store', store] });
      // Someone is trusted, so the socket is open to everyone and nobody else bootstraps.
      expect((await runCli(user('admin'), ['list'])).code).to.equal(0);
    });

    afterEach(async () => {
      await daemon.stop();
      temp.remove();
    });

    it('enrols a user with a token given inline while no passphrase is set, once; a second use is refused as a wrong passphrase', async () => {
      expect(await runCli(user('admin'), ['get', 'local.passphrase'])).to.include({ stdout: 'false\n' });
      const { token, id, stdout } = await issue('--label', "bob's laptop");
      expect(stdout).to.match(/^Enrolment token \(single use; shown only now\):\n\n {2}mpt-[a-z2-7]{32}\n\nID: +[a-z2-7]{8}\nLabel: +bob's laptop\nExpires: .*\(in 15m\)\n/);
      const bob = user('bob');
      expect(await runCli(bob, ['authenticate', token])).to.include({ code: 0, stdout: '', stderr: '' });
      expect(await runCli(bob, ['list'])).to.include({ code: 0, stdout: 'No instances found.\n' });

      const carol = user('carol');
      expect(await runCli(carol, ['authenticate', token])).to.include({ code: 2, stderr: NOT_CORRECT });
      expect(await runCli(carol, ['list'])).to.include({ code: 2 });

      const listed = await admin('trust', 'token', 'list');
      expect(listed.stdout).to.match(new RegExp(`^${id} +used +\\S+ +\\S+ +\\S+ by [0-9a-f]{16} +bob's laptop$`, 'm'));
      expect(listed.stdout).not.to.contain(token);
      const trusted = await admin('trust', 'list');
      expect(trusted.stdout).to.match(/via=token since=\S+ uid=0 user=root label="bob's laptop"/);
      const tokensJson = JSON.parse((await admin('trust', 'token', 'list', '--format', 'json')).stdout) as { tokens: Array<Record<string, unknown>> };
      expect(tokensJson.tokens).to.have.length(1);
      expect(tokensJson.tokens[0]).to.include({ id, state: 'used', label: "bob's laptop", used_by: fingerprintOf(bob), revoked_at: null });
    });

    it('enrols with a token entered at the passphrase prompt, with the same prompt as for a passphrase', async () => {
      const { token } = await issue();
      const dave = user('dave');
      expect(await runCli(dave, ['authenticate'], `${token}\n`)).to.include({ code: 0, stdout: 'Please enter passphrase: \n', stderr: '' });
      expect((await runCli(dave, ['list'])).code).to.equal(0);
    });

    it('refuses an expired token and a revoked one with the wrong-passphrase text, while a passphrase still works', async () => {
      expect((await runCli(user('admin'), ['set', 'local.passphrase=long-lived'])).code).to.equal(0);
      const expiring = await issue('--ttl', '1s');
      const revoked = await issue('--ttl', '1h');
      expect(await admin('trust', 'token', 'revoke', revoked.id)).to.include({ code: 0, stdout: `Revoked token ${revoked.id}\n` });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const erin = user('erin');
      expect(await runCli(erin, ['authenticate', expiring.token])).to.include({ code: 2, stderr: NOT_CORRECT });
      expect(await runCli(user('frank'), ['authenticate', revoked.token])).to.include({ code: 2, stderr: NOT_CORRECT });
      const listed = (await admin('trust', 'token', 'list')).stdout;
      expect(listed).to.match(new RegExp(`^${expiring.id} +expired `, 'm'));
      expect(listed).to.match(new RegExp(`^${revoked.id} +revoked `, 'm'));
      expect(await runCli(erin, ['authenticate', 'long-lived'])).to.include({ code: 0 });
    });

    it('lets exactly one of two clients authenticating with one token at the same moment in', async () => {
      const { token } = await issue();
      const results = await Promise.all([runCli(user('gina'), ['authenticate', token]), runCli(user('hank'), ['authenticate', token])]);
      expect(results.map((result) => result.code).sort()).to.deep.equal([0, 2]);
      expect(results.find((result) => result.code === 2)?.stderr).to.equal(NOT_CORRECT);
      expect((await admin('trust', 'list')).stdout.match(/via=token/g)).to.have.length(1);
    });

    it('keeps no token anywhere but in the admin\'s output: not in the data dir, the audit log or the daemon log', async () => {
      const { token } = await issue();
      const wrong = `mpt-${'q'.repeat(32)}`;
      expect((await runCli(user('ivan'), ['authenticate', token])).code).to.equal(0);
      expect((await runCli(user('judy'), ['authenticate', token])).code).to.equal(2);
      expect((await runCli(user('kate'), ['authenticate', wrong])).code).to.equal(2);
      const secret = token.slice(4);
      expect(everyFile(dataDir)).not.to.contain(secret);
      expect(everyFile(dataDir)).not.to.contain(wrong.slice(4));
      expect(daemon.stderr() + daemon.stdout()).not.to.contain(secret);
      expect(statSync(join(dataDir, 'audit.log')).mode & 0o777).to.equal(0o600);
    });

    it('says what is wrong with a bad --ttl, and revoking an unknown or used token', async () => {
      expect(await admin('trust', 'token', '--ttl', 'soon')).to.include({ code: 1 });
      expect((await admin('trust', 'token', '--ttl', 'soon')).stderr).to.contain("'soon' is not a duration");
      expect((await admin('trust', 'token', '--ttl', '8d')).stderr).to.contain('--ttl: a token lives between 1s and 7d, not 8d');
      expect((await admin('trust', 'token', 'revoke', 'nope')).stderr).to.contain("no enrolment token has id 'nope'");
      const { token, id } = await issue();
      expect((await runCli(user('liam'), ['authenticate', token])).code).to.equal(0);
      const late = await admin('trust', 'token', 'revoke', id);
      expect(late.code).to.equal(1);
      expect(late.stderr).to.match(/was used at .* cannot be used again; to stop trusting that client: multipassd trust remove [0-9a-f]{64}/);
    });
  });
}

describe('an enrolment token at a real terminal prompt', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;
  let terminal: TmuxTerminal | undefined;

  before(function () {
    if (!hasTmux()) {
      console.log('      skipped: tmux is not installed (.ci/run installs it)');
      this.skip();
    }
  });

  beforeEach(async () => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
    daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${temp.path}/sock`] });
  });

  afterEach(async () => {
    terminal?.close();
    await daemon.stop();
    temp.remove();
  });

  it('is taken at the hidden passphrase prompt and never shown', async () => {
    const home = (name: string) => {
      const path = join(temp.path, `home-${name}`);
      mkdirSync(path);
      return path;
    };
    expect((await runCli({ home: home('admin'), address: daemon.address, rootCertPath: daemon.rootCertPath }, ['list'])).code).to.equal(0);
    const issued = await runDaemonCommand(['trust', 'token', '--data-dir', join(temp.path, 'data')]);
    const token = TOKEN.exec(issued.stdout)?.[0] as string;
    terminal = new TmuxTerminal(temp.path, `${process.execPath} ${MULTIPASS_BIN} authenticate`, {
      HOME: home('mona'),
      MULTIPASS_SERVER_ADDRESS: daemon.address,
      MULTIPASS_ROOT_CERT: daemon.rootCertPath,
    });
    await terminal.waitFor(/Please enter passphrase:\s*$/m);
    terminal.type(token);
    terminal.enter();
    const screen = await terminal.waitFor(/\[exit \d+\]/);
    expect(screen).to.contain('[exit 0]');
    expect(screen).not.to.contain(token.slice(4));
  });
});
