import { expect } from 'chai';
import { RpcFailure } from '../../../src/adapters/rpc/multipass-client.js';
import { packageVersion } from '../../../src/app/package-version.js';
import { CliHarness } from './cli-harness.js';

const CLIENT = packageVersion();
const UPDATE = { version: '9.9.9', url: 'https://example.org/update', title: 'Update!', description: 'A new version' };

describe('multipass version --format', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it("prints the client and daemon versions as Multipass's JSON, CSV and YAML", async () => {
    expect(await cli.run('version', '--format', 'json')).to.deep.equal({
      code: 0,
      stdout: `{\n    "multipass": "${CLIENT}",\n    "multipassd": "1.2.3"\n}\n`,
      stderr: '',
    });
    expect((await cli.run('version', '--format=csv')).stdout).to.equal(
      `Multipass,Multipassd,Title,Description,URL\n${CLIENT},1.2.3,,,\n`,
    );
    expect((await cli.run('version', '--format', 'yaml')).stdout).to.equal(`multipass: ${CLIENT}\nmultipassd: 1.2.3\n`);
    expect((await cli.run('version', '--format', 'table')).stdout).to.equal(`multipass   ${CLIENT}\nmultipassd  1.2.3\n`);
  });

  it('prints only the client version, in the format asked, when the daemon cannot be reached (exit 0)', async () => {
    cli.client.failWith(new RpcFailure('UNAVAILABLE', 'connect ENOENT', 'cannot-connect'));
    expect(await cli.run('version', '--format', 'json')).to.deep.equal({
      code: 0,
      stdout: `{\n    "multipass": "${CLIENT}"\n}\n`,
      stderr: '',
    });
    expect((await cli.run('version', '--format', 'csv')).stdout).to.equal(
      `Multipass,Multipassd,Title,Description,URL\n${CLIENT},,,,\n`,
    );
    expect((await cli.run('version', '--format', 'yaml')).stdout).to.equal(`multipass: ${CLIENT}\n`);
  });

  it('shows an update the daemon offers, as Multipass does', async () => {
    cli.client.updateInfo = UPDATE;
    // As wide as the longest line of the message, and at least 50.
    const divider = '#'.repeat('Go here for more information: https://example.org/update'.length);
    expect((await cli.run('version')).stdout).to.equal(
      `multipass   ${CLIENT}\nmultipassd  1.2.3\n\n${divider}\nUpdate!\nA new version\n\n` +
        `Go here for more information: https://example.org/update\n${divider}\n`,
    );
    expect((await cli.run('version', '--format', 'json')).stdout).to.contain(
      '    "update": {\n        "title": "Update!",\n        "description": "A new version",\n        "url": "https://example.org/update"\n    }\n',
    );
    expect((await cli.run('version', '--format', 'csv')).stdout).to.equal(
      `Multipass,Multipassd,Title,Description,URL\n${CLIENT},1.2.3,Update!,A new version,https://example.org/update\n`,
    );
  });

  it('refuses an unknown format before calling the daemon (exit 1)', async () => {
    expect(await cli.run('version', '--format', 'toml')).to.deep.equal({ code: 1, stdout: '', stderr: 'Invalid format type given.\n' });
    expect(cli.connections).to.deep.equal([]);
  });
});
