import { expect } from 'chai';
import { RpcFailure } from '../../../src/adapters/rpc/multipass-client.js';
import { CliHarness } from './cli-harness.js';
import { quietened } from './client-lines.js';

describe('multipass list', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('says so when there are no instances', async () => {
    expect(await cli.run('list')).to.deep.equal({ code: 0, stdout: 'No instances found.\n', stderr: '' });
    expect(cli.client.callsTo('list')).to.deep.equal([[{ snapshots: false, requestIpv4: true }, 0]]);
    expect(cli.client.closed).to.equal(true);
  });

  it('answers to its alias ls, with verbosity', async () => {
    expect(quietened(await cli.run('ls', '-vv'))).to.deep.equal({ code: 0, stdout: 'No instances found.\n', stderr: '' });
    expect(cli.client.callsTo('list')).to.deep.equal([[{ snapshots: false, requestIpv4: true }, 2]]);
  });

  it("prints Multipass's table, sorted by name, one extra line per extra address", async () => {
    cli.client.instances = [
      { name: 'zesty', state: 'STOPPED', ipv4: [], release: '' },
      { name: 'primary', state: 'RUNNING', ipv4: ['10.0.0.2', '172.17.0.1'], release: '24.04 LTS' },
    ];
    expect((await cli.run('list')).stdout).to.equal(
      [
        'Name                    State             IPv4             Image',
        'primary                 Running           10.0.0.2         Ubuntu 24.04 LTS',
        '                                          172.17.0.1',
        'zesty                   Stopped           --               Not Available',
        '',
      ].join('\n'),
    );
  });

  it('widens the name column for long names', async () => {
    cli.client.instances = [{ name: 'a-very-long-instance-name-here', state: 'SUSPENDED', ipv4: ['10.0.0.9'], release: '22.04' }];
    const [header, row] = (await cli.run('list')).stdout.split('\n');
    expect(header).to.equal(`${'Name'.padEnd(33)}${'State'.padEnd(18)}${'IPv4'.padEnd(17)}Image`);
    expect(row).to.equal(`${'a-very-long-instance-name-here'.padEnd(33)}${'Suspended'.padEnd(18)}${'10.0.0.9'.padEnd(17)}Ubuntu 22.04`);
  });
});

describe('multipass version', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('prints the client and the daemon versions', async () => {
    const result = quietened(await cli.run('version', '-v'));
    expect(result.stdout).to.match(/^multipass {3}\d+\.\d+\.\d+\S*\nmultipassd {2}1\.2\.3\n$/);
    expect(result).to.include({ code: 0, stderr: '' });
    expect(cli.client.callsTo('version')).to.deep.equal([[1]]);
  });

  for (const failure of [
    new RpcFailure('UNAVAILABLE', 'connect ENOENT', 'cannot-connect'),
    new RpcFailure('UNAUTHENTICATED', 'The client is not authenticated with the Multipass service.'),
  ]) {
    it(`prints only the client version when the daemon answers ${failure.status}`, async () => {
      cli.client.failWith(failure);
      const result = await cli.run('version');
      expect(result.stdout).to.match(/^multipass {3}\d+\.\d+\.\d+\S*\n$/);
      expect(result).to.include({ code: 0, stderr: '' });
    });
  }

  it('prints only the client version when the root certificate is missing', async () => {
    cli.vars.MULTIPASS_ROOT_CERT = `${cli.tempPath}/missing.pem`;
    const result = await cli.run('version');
    expect(result.stdout).to.match(/^multipass {3}\S+\n$/);
    expect(result.code).to.equal(0);
  });
});
