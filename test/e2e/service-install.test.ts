import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { withExecStart } from '../../src/app/daemon-cli/service-install-command.js';
import { baitFile } from '../support/bait.js';
import { MULTIPASSD_BIN, REPO_ROOT } from '../support/binaries.js';
import { runDaemonCommand } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';

const UNIT = join('etc', 'systemd', 'system', 'multipassd.service');
const TEMPLATE = readFileSync(join(REPO_ROOT, 'packaging', 'systemd', 'multipassd.service'), 'utf8');

/** `multipassd service install`, always into a temp root: tests never write /etc. */
describe('multipassd service install', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  const install = (...args: string[]) => runDaemonCommand(['service', 'install', '--root', temp.path, ...args]);

  it('writes the shipped unit with ExecStart set to this node and multipassd, and prints how to start it', async () => {
    const result = await install();

    const path = join(temp.path, UNIT);
    expect(result.code, result.stderr).to.equal(0);
    // A checkout that is not root's alone (a developer's) is warned about, nothing else.
    expect(result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('warning: '))).to.deep.equal([]);
    expect(result.stdout).to.contain(`Wrote ${path}`).and.to.contain('  systemctl daemon-reload && systemctl enable --now multipassd\n');
    const unit = readFileSync(path, 'utf8');
    expect(unit).to.equal(withExecStart(TEMPLATE, [process.execPath, MULTIPASSD_BIN]));
    expect(unit).to.match(new RegExp(`^ExecStart=${process.execPath} ${MULTIPASSD_BIN}$`, 'm'));
    expect(unit).to.match(/^Type=notify$/m).and.to.match(/^Restart=on-failure$/m).and.to.match(/^WantedBy=multi-user.target$/m);
    expect(statSync(path).mode & 0o777).to.equal(0o644);
    expect(statSync(join(temp.path, 'etc', 'systemd')).mode & 0o777).to.equal(0o755);
  });

  it('prints the unit with --dry-run and writes nothing', async () => {
    const result = await install('--dry-run', '--bin', '/opt/multipassd/bin/multipassd', '--node', '/opt/node/bin/node');

    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal(withExecStart(TEMPLATE, ['/opt/node/bin/node', '/opt/multipassd/bin/multipassd']));
    expect(result.stderr).to.contain('dry run');
    expect(existsSync(join(temp.path, 'etc'))).to.equal(false);
  });

  it('quotes paths with spaces and escapes systemd specifiers and variables in ExecStart', () => {
    const unit = withExecStart('[Service]\nExecStart=/x\n', ['/opt/my node/node', '/opt/100%/$HOME/multipassd']);
    expect(unit).to.equal('[Service]\nExecStart="/opt/my node/node" "/opt/100%%/$$HOME/multipassd"\n');
  });

  it('warns when the code it would run as root can be changed by someone else', async () => {
    const open = join(temp.path, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    writeFileSync(join(open, 'multipassd'), '');

    const result = await install('--bin', join(open, 'multipassd'));

    expect(result.code).to.equal(0);
    const culprit = process.getuid?.() === 0 ? `'${open}' is writable by others (mode 777)` : `'${temp.path}' is owned by uid`;
    expect(result.stderr).to.contain(`warning: ${culprit}`).and.to.contain('whoever can change it can run code as root through the service');
  });

  it('refuses a link planted where the unit goes, and writes nothing through it', async () => {
    mkdirSync(join(temp.path, 'etc', 'systemd', 'system'), { recursive: true });
    const bait = baitFile(temp.path);
    bait.plantAt(join(temp.path, UNIT));

    const result = await install();

    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(`cannot write '${join(temp.path, UNIT)}'`).and.to.contain('symbolic link');
    bait.expectUntouched();
  });

  it('passes systemd-analyze verify, with no unknown or ignored settings', async function () {
    const verify = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find(existsSync);
    if (verify === undefined) {
      console.log('      skipped: systemd-analyze is not installed');
      this.skip();
    }
    expect((await install()).code).to.equal(0);

    const result = await promisify(execFile)(verify!, ['verify', join(temp.path, UNIT)]).then(
      ({ stderr }) => ({ code: 0, stderr }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

    expect(result.code, result.stderr).to.equal(0);
    const ours = result.stderr.split('\n').filter((line) => line.includes('multipassd.service'));
    expect(ours, 'systemd-analyze complaints about our unit').to.deep.equal([]);
  });
});
