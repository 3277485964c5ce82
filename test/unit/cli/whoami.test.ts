import { expect } from 'chai';
import { join } from 'node:path';
import { RpcFailure } from '../../../src/adapters/rpc/multipass-client.js';
import type { WhoamiResult } from '../../../src/adapters/rpc/whoami.js';
import type { Fingerprint } from '../../../src/domain/fingerprint.js';
import { CliHarness } from './cli-harness.js';

const MINE = 'a'.repeat(64) as Fingerprint;
const OLD = 'b'.repeat(64) as Fingerprint;
const SINCE = new Date('2026-03-01T10:00:00.000Z');
const LOCKED_OUT: WhoamiResult = {
  fingerprint: MINE,
  trusted: false,
  passphraseSet: false,
  tokensActive: false,
  adminGroup: 'sudo',
  admin: false,
  bootstrapOpen: false,
  transport: 'unix',
  uid: 1001,
};

describe('multipass whoami', () => {
  let cli: CliHarness;
  let certPath: string;
  beforeEach(() => {
    cli = new CliHarness();
    certPath = join(cli.tempPath, 'home', '.local', 'share', 'multipass-client-certificate', 'multipass_cert.pem');
  });
  afterEach(() => cli.dispose());

  it('tells a trusted client its fingerprint and since when, how and with which label', async () => {
    cli.whoami = { ...LOCKED_OUT, trusted: true, provenance: { via: 'passphrase', at: SINCE, label: 'laptop' } };
    expect(await cli.run('whoami')).to.deep.equal({
      code: 0,
      stdout:
        'Trusted:       yes\n' +
        `Fingerprint:   ${MINE}\n` +
        `Certificate:   ${certPath}\n` +
        'Trusted since: 2026-03-01T10:00:00Z (via passphrase)\n' +
        'Label:         laptop\n',
      stderr: '',
    });
  });

  it('tells a locked-out client that nobody can enrol (#2552), who can fix it, and the exact trust add line', async () => {
    cli.whoami = LOCKED_OUT;
    const { code, stdout } = await cli.run('whoami');
    expect(code).to.equal(0);
    expect(stdout).to.contain('Trusted:        no\n').and.to.contain('Passphrase set: no\n');
    expect(stdout).to.contain("Nobody can enrol: no passphrase is set and no enrolment token is active, so\n'multipass authenticate' cannot work");
    expect(stdout).to.contain("Ask an administrator (root or a member of the group 'sudo') to trust this client with:\n");
    expect(stdout).to.contain(`  sudo multipassd trust add ${certPath}\n`);
  });

  it('tells an untrusted client to authenticate when a passphrase is set or a token is active', async () => {
    cli.whoami = { ...LOCKED_OUT, passphraseSet: true };
    expect((await cli.run('whoami')).stdout).to.contain('To enrol this client, run:\n  multipass authenticate\nwith the passphrase your administrator');
    cli.whoami = { ...LOCKED_OUT, tokensActive: true };
    expect((await cli.run('whoami')).stdout).to.contain('with the passphrase (or the one-time enrolment token) your administrator');
  });

  it('says the client certificate was replaced when this uid enrolled another one', async () => {
    cli.whoami = { ...LOCKED_OUT, passphraseSet: true, otherCertificate: { fingerprint: OLD, provenance: { via: 'passphrase', at: SINCE } } };
    const { stdout } = await cli.run('whoami');
    expect(stdout).to.contain(`This user (uid 1001) enrolled another certificate, ${OLD}, trusted since 2026-03-01T10:00:00Z (via passphrase)`);
    expect(stdout).to.contain('was replaced. Restore the previous multipass_cert.pem');
  });

  it('answers in JSON for scripts, never with a secret', async () => {
    cli.whoami = LOCKED_OUT;
    const { code, stdout } = await cli.run('whoami', '--format', 'json');
    expect(code).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal({
      trusted: false,
      fingerprint: MINE,
      certificate_file: certPath,
      via: null,
      since: null,
      label: null,
      passphrase_set: false,
      enrolment_tokens_active: false,
      enrolment_possible: false,
      admin_group: 'sudo',
      other_certificate: null,
    });
  });

  it("is also 'authenticate --status', which stays out of authenticate's help", async () => {
    cli.whoami = LOCKED_OUT;
    const status = await cli.run('auth', '--status');
    expect(status.code).to.equal(0);
    expect(status.stdout).to.equal((await cli.run('whoami')).stdout);
    expect((await cli.run('help', 'authenticate')).stdout).not.to.contain('status');
    expect(cli.client.calls, 'never authenticates').to.deep.equal([]);
  });

  it('reports an unreachable daemon as every command does', async () => {
    cli.whoami = new RpcFailure('UNAVAILABLE', 'connect ENOENT', 'cannot-connect');
    expect(await cli.run('whoami')).to.deep.equal({
      code: 3,
      stdout: '',
      stderr: `whoami failed: cannot connect to the multipass socket\nPlease ensure multipassd is running and '${cli.socketPath}' is accessible\n`,
    });
  });

  it('refuses an unknown format and arguments as command-line errors', async () => {
    expect(await cli.run('whoami', '--format', 'yaml')).to.include({ code: 1, stderr: 'Invalid format type given.\n' });
    expect((await cli.run('whoami', 'extra')).code).to.equal(1);
  });
});
