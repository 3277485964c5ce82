import { expect } from 'chai';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDaemonCommand, startDaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('multipassd configuration at start-up', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  it('stops on an invalid config file, naming the key and the file, and touches nothing', async () => {
    const dataDir = join(temp.path, 'data');
    mkdirSync(dataDir);
    const file = join(dataDir, 'multipassd.yaml');
    writeFileSync(file, 'store: mongodb\n');
    const result = await runDaemonCommand(['--data-dir', dataDir, '--address', `unix:${temp.path}/sock`]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain("'store'").and.to.contain(file);
    expect(readdirSync(dataDir)).to.deep.equal(['multipassd.yaml']);
    expect(readdirSync(temp.path)).to.deep.equal(['data']);
  });

  it('stops on an unknown key given through --config', async () => {
    const file = join(temp.path, 'custom.yaml');
    writeFileSync(file, 'adress: localhost:1\n');
    const result = await runDaemonCommand(['--data-dir', join(temp.path, 'data'), '--config', file]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain("unknown key 'adress'").and.to.contain(file);
    expect(readdirSync(temp.path)).to.deep.equal(['custom.yaml']);
  });

  it('selects the SQLite store and the TCP transport from the config file', async () => {
    const dataDir = join(temp.path, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'multipassd.yaml'), 'store: sqlite\naddress: localhost:0\n');
    const daemon = await startDaemonProcess({ dataDir });
    await daemon.stop();
    expect(daemon.address).to.match(/^127\.0\.0\.1:\d+$/);
    expect(daemon.stdout()).to.contain('store: sqlite');
    expect(readdirSync(dataDir)).to.include('multipassd.db');
  });

  it('starts over a trusted certificates file it cannot read, logging one error that names it (a damaged store, not a fresh one)', async () => {
    const dataDir = join(temp.path, 'data');
    mkdirSync(join(dataDir, 'authenticated-certs', 'multipass_client_certs.pem'), { recursive: true });
    const daemon = await startDaemonProcess({ dataDir, args: ['--address', `unix:${temp.path}/sock`] });
    await daemon.stop();
    const errors = daemon.stderr().split('\n').filter((line) => line.includes('"level":50'));
    expect(errors, daemon.stderr()).to.have.length(1);
    expect(errors[0]).to.match(/multipass_client_certs\.pem' exists but cannot be read \(EISDIR/);
  });

  it('refuses a non-loopback TCP address unless allow_remote is set', async () => {
    const result = await runDaemonCommand(['--data-dir', join(temp.path, 'data'), '--address', '0.0.0.0:0']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('non-loopback');
  });
});
