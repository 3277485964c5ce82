import { expect } from 'chai';
import { expiredCertificateNotice } from '../../../src/adapters/cli/client-options.js';
import { RpcFailure } from '../../../src/adapters/rpc/multipass-client.js';
import { CliHarness } from './cli-harness.js';
import { withoutClientLines } from './client-lines.js';

const LINES = ['[2024-01-01T00:00:00.000Z] [debug] [rpc] first\n', '[2024-01-01T00:00:00.001Z] [debug] [rpc] second\n'];

describe("multipass and the daemon's log lines", () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  for (const argv of [['list', '-vvv'], ['get', 'local.passphrase', '-vvvv'], ['version', '-vvv'], ['auth', 'foo', '-vvv']]) {
    it(`prints every log line of the stream to stderr, as it comes, for '${argv.join(' ')}'`, async () => {
      cli.client.logLines = LINES;
      const result = await cli.run(...argv);
      expect(result.code).to.equal(0);
      // The CLI's own lines ([client], from -v on) come with them; the daemon's pass through unchanged.
      expect(withoutClientLines(result.stderr)).to.equal(LINES.join(''));
      expect(result.stdout).not.to.contain('[rpc]');
    });
  }

  it('prints the log lines before the failure report', async () => {
    cli.client.logLines = LINES;
    cli.client.failWith(new RpcFailure('INTERNAL', 'boom'));
    const result = await cli.run('list', '-vvv');
    expect({ ...result, stderr: withoutClientLines(result.stderr) }).to.deep.equal({ code: 2, stdout: '', stderr: `${LINES.join('')}list failed: boom\n` });
  });
});

describe('multipass with an expired client certificate', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('keeps using it and says once, on stderr, how to renew it deliberately', async () => {
    cli.identityExpiredOn = new Date('2024-03-01T12:00:00Z');
    const result = await cli.run('list');
    const dir = `${cli.vars.HOME}/.local/share/multipass-client-certificate`;
    expect(result).to.deep.equal({
      code: 0,
      stdout: 'No instances found.\n',
      stderr:
        `warning: the client certificate in '${dir}' expired on 2024-03-01 and is still used; ` +
        "to renew it, delete multipass_cert.pem and multipass_cert_key.pem there and run 'multipass authenticate' again\n",
    });
    expect(cli.connections).to.have.length(1);
    expect(cli.connections[0]?.clientCertPem).to.equal('client-cert-pem');
  });

  it('says it in one line', () => {
    const notice = expiredCertificateNotice('/d', new Date(0));
    expect(notice.endsWith('\n')).to.equal(true);
    expect(notice.slice(0, -1)).not.to.contain('\n');
  });

  it('says nothing about a certificate still in date', async () => {
    expect((await cli.run('list')).stderr).to.equal('');
  });
});
