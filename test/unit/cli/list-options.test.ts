import { expect } from 'chai';
import type { InstanceRow, SnapshotRow } from '../../../src/adapters/rpc/multipass-client.js';
import { CliHarness } from './cli-harness.js';

const INSTANCES: InstanceRow[] = [
  { name: 'zesty', state: 'STOPPED', ipv4: [], release: '' },
  { name: 'primary', state: 'RUNNING', ipv4: ['10.0.0.2', '172.17.0.1'], release: '24.04 LTS' },
];

const SNAPSHOTS: SnapshotRow[] = [
  { instance: 'zesty', name: 'snapshot2', parent: 'snapshot1', comment: 'Before restoring\nsnapshot1', createdSeconds: 20 },
  { instance: 'zesty', name: 'snapshot1', parent: '', comment: '', createdSeconds: 10 },
  { instance: 'alpha', name: 'pristine', parent: '', comment: 'x'.repeat(60), createdSeconds: 30 },
];

describe('multipass list --format', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it("prints an empty list as Multipass's JSON, CSV and YAML", async () => {
    expect(await cli.run('list', '--format', 'json')).to.deep.equal({ code: 0, stdout: '{\n    "list": [\n    ]\n}\n', stderr: '' });
    expect((await cli.run('list', '--format=csv')).stdout).to.equal('Name,State,IPv4,Release,AllIPv4\n');
    expect((await cli.run('ls', '--format', 'yaml')).stdout).to.equal('\n');
    expect((await cli.run('list', '--format', 'table')).stdout).to.equal('No instances found.\n');
  });

  it('prints instances as JSON in the daemon order', async () => {
    cli.client.instances = INSTANCES;
    expect((await cli.run('list', '--format', 'json')).stdout).to.equal(
      [
        '{',
        '    "list": [',
        '        {',
        '            "name": "zesty",',
        '            "state": "Stopped",',
        '            "ipv4": [',
        '            ],',
        '            "release": "Not Available"',
        '        },',
        '        {',
        '            "name": "primary",',
        '            "state": "Running",',
        '            "ipv4": [',
        '                "10.0.0.2",',
        '                "172.17.0.1"',
        '            ],',
        '            "release": "Ubuntu 24.04 LTS"',
        '        }',
        '    ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('prints instances as CSV and YAML sorted by name', async () => {
    cli.client.instances = INSTANCES;
    expect((await cli.run('list', '--format', 'csv')).stdout).to.equal(
      'Name,State,IPv4,Release,AllIPv4\n' +
        'primary,Running,10.0.0.2,Ubuntu 24.04 LTS,"10.0.0.2,172.17.0.1"\n' +
        'zesty,Stopped,,Not Available,""\n',
    );
    expect((await cli.run('list', '--format', 'yaml')).stdout).to.equal(
      [
        'primary:',
        '  - state: Running',
        '    ipv4:',
        '      - 10.0.0.2',
        '      - 172.17.0.1',
        '    release: Ubuntu 24.04 LTS',
        'zesty:',
        '  - state: Stopped',
        '    ipv4:',
        '      []',
        '    release: Not Available',
        '',
      ].join('\n'),
    );
  });

  it('refuses an unknown format before calling the daemon (exit 1)', async () => {
    expect(await cli.run('list', '--format', 'xml')).to.deep.equal({ code: 1, stdout: '', stderr: 'Invalid format type given.\n' });
    expect(cli.connections).to.deep.equal([]);
  });
});

describe('multipass list --no-ipv4 and --snapshots', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('asks the daemon not to look up addresses with --no-ipv4', async () => {
    expect((await cli.run('list', '--no-ipv4')).code).to.equal(0);
    expect(cli.client.callsTo('list')).to.deep.equal([[{ snapshots: false, requestIpv4: false }, 0]]);
  });

  it('asks for snapshots and says so when there are none', async () => {
    expect(await cli.run('list', '--snapshots')).to.deep.equal({ code: 0, stdout: 'No snapshots found.\n', stderr: '' });
    expect(cli.client.callsTo('list')).to.deep.equal([[{ snapshots: true, requestIpv4: true }, 0]]);
  });

  it('refuses --snapshots with --no-ipv4 as Multipass does (exit 1)', async () => {
    expect(await cli.run('list', '--snapshots', '--no-ipv4')).to.deep.equal({
      code: 1,
      stdout: '',
      stderr: 'IP addresses are not applicable in conjunction with listing snapshots\n',
    });
    expect(cli.connections).to.deep.equal([]);
  });

  it("prints snapshots as Multipass's table: sorted, first comment line, cut at 50", async () => {
    cli.client.snapshots = SNAPSHOTS;
    expect((await cli.run('list', '--snapshots')).stdout).to.equal(
      [
        'Instance   Snapshot    Parent      Comment',
        `alpha      pristine    --          ${'x'.repeat(49)}…`,
        'zesty      snapshot1   --          --',
        'zesty      snapshot2   snapshot1   Before restoring…',
        '',
      ].join('\n'),
    );
  });

  it('prints snapshots as JSON, CSV and YAML', async () => {
    cli.client.snapshots = SNAPSHOTS.slice(0, 2);
    expect((await cli.run('list', '--snapshots', '--format', 'json')).stdout).to.equal(
      [
        '{',
        '    "errors": [',
        '    ],',
        '    "info": {',
        '        "zesty": {',
        '            "snapshot2": {',
        '                "parent": "snapshot1",',
        '                "comment": "Before restoring\\nsnapshot1"',
        '            },',
        '            "snapshot1": {',
        '                "parent": "",',
        '                "comment": ""',
        '            }',
        '        }',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
    expect((await cli.run('list', '--snapshots', '--format', 'csv')).stdout).to.equal(
      'Instance,Snapshot,Parent,Comment\nzesty,snapshot1,,""\nzesty,snapshot2,snapshot1,"Before restoring\nsnapshot1"\n',
    );
    expect((await cli.run('list', '--snapshots', '--format', 'yaml')).stdout).to.equal(
      [
        'zesty:',
        '  - snapshot1:',
        '      - parent: ~',
        '        comment: ~',
        '  - snapshot2:',
        '      - parent: snapshot1',
        '        comment: "Before restoring\\nsnapshot1"',
        '',
      ].join('\n'),
    );
  });

  it("prints an empty snapshot list as Multipass's JSON and CSV", async () => {
    expect((await cli.run('list', '--snapshots', '--format', 'json')).stdout).to.equal(
      '{\n    "errors": [\n    ],\n    "info": {\n    }\n}\n',
    );
    expect((await cli.run('list', '--snapshots', '--format', 'csv')).stdout).to.equal('Instance,Snapshot,Parent,Comment\n');
  });
});
