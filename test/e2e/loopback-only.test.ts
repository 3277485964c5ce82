import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDaemonCommand, startDaemonProcess } from '../support/daemon-process.js';
import { canBindIpv6Loopback } from '../support/ipv6-loopback.js';
import { makeTempDir } from '../support/temp-dir.js';

/** Short: a daemon that wrongly accepts an address keeps running; this ends it soon. */
const REFUSAL_TIMEOUT_MS = 10000;

/**
 * Without allow_remote, multipassd listens on loopback only: every address that would let
 * another host connect is refused at start, however it is given.
 */
describe('multipassd listens on loopback only unless allow_remote is set', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const dataDir = () => join(temp.path, 'data');
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  const expectRefused = (result: { code: number | null; stderr: string }, host: string) => {
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr).to.contain(`refusing to listen on non-loopback address '${host}'`).and.to.contain('allow_remote');
  };

  for (const [address, host] of [
    ['[::]:0', '::'],
    ['[fe80::1]:0', 'fe80::1'],
    ['[2001:db8::1]:0', '2001:db8::1'],
    ['[::ffff:10.0.0.1]:0', '::ffff:10.0.0.1'],
  ] as const) {
    it(`refuses --address ${address}`, async () => {
      expectRefused(await runDaemonCommand(['--data-dir', dataDir(), '--address', address], {}, REFUSAL_TIMEOUT_MS), host);
    });
  }

  it('refuses [::] from the config file and from MULTIPASSD_ADDRESS', async () => {
    mkdirSync(dataDir());
    writeFileSync(join(dataDir(), 'multipassd.yaml'), 'address: "[::]:0"\n');
    expectRefused(await runDaemonCommand(['--data-dir', dataDir()], {}, REFUSAL_TIMEOUT_MS), '::');
    const other = join(temp.path, 'other');
    expectRefused(await runDaemonCommand(['--data-dir', other], { MULTIPASSD_ADDRESS: '[::]:50051' }, REFUSAL_TIMEOUT_MS), '::');
  });

  it("refuses '::' without brackets as no host:port address", async () => {
    const result = await runDaemonCommand(['--data-dir', dataDir(), '--address', ':::0'], {}, REFUSAL_TIMEOUT_MS);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain("expected unix:/path or host:port, got ':::0'");
  });

  it('listens on 127.0.0.2, which is loopback too', async () => {
    const daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', '127.0.0.2:0'] });
    await daemon.stop();
    expect(daemon.address).to.match(/^127\.0\.0\.2:[1-9]\d*$/);
  });

  it('listens on [::1]', async function () {
    if (!(await canBindIpv6Loopback())) {
      console.log('      skipped: this machine cannot bind ::1');
      this.skip();
    }
    const daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', '[::1]:0'] });
    await daemon.stop();
    expect(daemon.address).to.match(/^\[::1\]:[1-9]\d*$/);
  });
});
