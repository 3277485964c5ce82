import { status, type Client } from '@grpc/grpc-js';
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pemCertStorePath, settingsFilePath, sqliteStorePath } from '../../src/app/paths.js';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wireStream } from '../support/grpc-wire-client.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate, type TestCertificate } from '../support/test-certificates.js';

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

const WARN = 40;
const ERROR = 50;

const logLines = (daemon: DaemonProcess): LogLine[] =>
  daemon
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

/** Trust that comes back after the damage would be a fresh install's bootstrap: the first caller wins. */
describe('multipassd over a damaged store', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  let client: Client | undefined;
  let admin: TestCertificate;
  const dataDir = () => join(temp.path, 'data');
  const socket = () => join(temp.path, 'sock');

  const start = async (store: 'pem' | 'sqlite') => {
    daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${socket()}`, '--store', store] });
    client = wireClient(daemon.address, readFileSync(daemon.rootCertPath, 'utf8'), { certPem: admin.pem, keyPem: admin.keyPem });
    return daemon;
  };
  const list = () => wireStream(client!, 'list', {});
  const plant = (path: string, content: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  };
  const othersMayConnect = () => (statSync(socket()).mode & 0o007) !== 0;

  before(async () => {
    admin = await makeTestCertificate('admin');
  });
  beforeEach(() => (temp = makeTempDir()));
  afterEach(async () => {
    client?.close();
    client = undefined;
    await daemon?.stop();
    daemon = undefined;
    temp.remove();
  });

  /** One error line names the file and both ways out; the socket stays restricted; the first caller is not trusted. */
  async function expectFaultedStart(store: 'pem' | 'sqlite', file: string, problem: string): Promise<DaemonProcess> {
    const running = await start(store);
    const errors = logLines(running).filter((line) => line.level >= ERROR);
    expect(errors, running.stderr()).to.have.length(1);
    expect(errors[0]!.msg).to.contain(`'${file}' ${problem}`).and.to.contain('restore').and.to.contain('delete it');
    expect(othersMayConnect(), 'socket restricted').to.equal(false);
    expect((await list()).code, 'the first caller is not trusted as on a fresh install').to.equal(status.UNAUTHENTICATED);
    expect(othersMayConnect(), 'socket still restricted').to.equal(false);
    return running;
  }

  const trustAdd = async (store: 'pem' | 'sqlite') => {
    const certFile = join(temp.path, 'admin.pem');
    writeFileSync(certFile, admin.pem);
    const added = await runDaemonCommand(['trust', 'add', certFile, '--data-dir', dataDir(), '--store', store]);
    expect(added.code, added.stderr).to.equal(0);
  };

  const pemCases: Record<string, [string, string]> = {
    'an emptied PEM file (zero bytes)': ['', 'exists but is empty'],
    'a PEM file of whitespace': ['\n\n  \n', 'exists but is empty'],
    'a PEM file of 40,000 BEGIN lines and no END': ['-----BEGIN CERTIFICATE-----\n'.repeat(40_000), 'exists but holds no valid certificate'],
  };
  for (const [what, [content, problem]] of Object.entries(pemCases)) {
    it(`starts over ${what} with one error and no bootstrap, and trusts again after 'multipassd trust add'`, async () => {
      const file = pemCertStorePath(dataDir());
      plant(file, content);
      const running = await expectFaultedStart('pem', file, problem);
      expect(readFileSync(file, 'utf8'), 'the file is left for the admin').to.equal(content);
      for (let i = 0; i < 5; i += 1) await list();
      const warnings = logLines(running).filter((line) => line.level === WARN);
      expect(warnings, 'one summary per change of the file, none per call').to.have.length(content.includes('BEGIN') ? 1 : 0);

      await trustAdd('pem');
      expect((await list()).code).to.equal(status.OK);
      expect(othersMayConnect(), 'opened once someone is trusted').to.equal(true);
    });
  }

  it('bootstraps the first admin again once the damaged PEM file is deleted, without a restart', async () => {
    const file = pemCertStorePath(dataDir());
    plant(file, '');
    await expectFaultedStart('pem', file, 'exists but is empty');
    unlinkSync(file);
    expect((await list()).code).to.equal(status.OK);
    expect(readFileSync(file, 'ascii')).to.equal(admin.pem);
  });

  it('starts over an emptied SQLite database (zero bytes) with one error and no bootstrap, leaves it empty, and trusts again after trust add', async () => {
    const file = sqliteStorePath(dataDir());
    plant(file, '');
    await expectFaultedStart('sqlite', file, 'exists but is empty');
    expect(statSync(file).size, 'not made a fresh database').to.equal(0);
    await trustAdd('sqlite');
    expect((await list()).code).to.equal(status.OK);
  });

  it('starts over a file that is not a SQLite database with one error and no bootstrap, leaving it untouched', async () => {
    const file = sqliteStorePath(dataDir());
    const original = 'this is not a database\n'.repeat(100);
    plant(file, original);
    await expectFaultedStart('sqlite', file, 'is not a SQLite database');
    expect(readFileSync(file, 'utf8')).to.equal(original);
    expect(existsSync(`${file}-wal`)).to.equal(false);
  });

  it("reports a damaged store from 'trust list', and 'migrate-store' refuses to copy it into a healthy empty one", async () => {
    const file = pemCertStorePath(dataDir());
    plant(file, '\n');
    const listed = await runDaemonCommand(['trust', 'list', '--data-dir', dataDir()]);
    expect(listed.code).to.equal(1);
    expect(listed.stdout).to.equal('');
    expect(listed.stderr).to.contain(`'${file}' exists but is empty`);
    const migrated = await runDaemonCommand(['migrate-store', '--to', 'sqlite', '--data-dir', dataDir()]);
    expect(migrated.code).to.equal(1);
    expect(migrated.stderr).to.contain(`'${file}' exists but is empty`);
    expect(existsSync(sqliteStorePath(dataDir())), 'no fresh database made').to.equal(false);
  });

  it('reports a passphrase hash it cannot read at start, naming the file and key, and tells an enrolling user to ask the administrator', async () => {
    const settings = settingsFilePath(dataDir());
    plant(settings, '[local]\npassphrase=scrypt$N=16384,r=8,p=1$truncated\n');
    plant(pemCertStorePath(dataDir()), admin.pem);
    const running = await start('pem');
    const errors = logLines(running).filter((line) => line.level >= ERROR);
    expect(errors, running.stderr()).to.have.length(1);
    expect(errors[0]!.msg).to.contain(settings).and.to.contain("'local.passphrase'");
    expect(errors[0]!.msg, 'never the hash').not.to.contain('truncated');

    const newcomer = await makeTestCertificate('newcomer');
    const other = wireClient(running.address, readFileSync(running.rootCertPath, 'utf8'), { certPem: newcomer.pem, keyPem: newcomer.keyPem });
    try {
      const outcome = await wireStream(other, 'authenticate', { passphrase: 'anything' });
      expect(outcome.code).to.equal(status.INTERNAL);
      expect(outcome.details).to.contain('administrator').and.not.to.contain('not correct');
    } finally {
      other.close();
    }
  });
});
