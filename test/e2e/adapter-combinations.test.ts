import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliUser } from '../support/cli-process.js';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';

const NOT_AUTHENTICATED =
  "list failed: The client is not authenticated with the Multipass service.\nPlease use 'multipass authenticate' before proceeding.\n";

/**
 * The same user journey through every transport and store the container can choose. TCP has
 * no bootstrap (rule 4): the installing user is trusted with the offline `trust add`, run
 * while the daemon is up, which the daemon must notice without a restart.
 */
for (const transport of ['unix', 'tcp'] as const) {
  for (const store of ['pem', 'sqlite'] as const) {
    describe(`end to end over ${transport} with the ${store} store`, () => {
      let temp: ReturnType<typeof makeTempDir>;
      let daemon: DaemonProcess;
      const dataDir = () => join(temp.path, 'data');
      const address = () => (transport === 'unix' ? `unix:${temp.path}/sock` : 'localhost:0');
      const start = async () => {
        daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', address(), '--store', store] });
      };
      const user = (name: string): CliUser => {
        const home = join(temp.path, `home-${name}`);
        mkdirSync(home, { recursive: true });
        return { home, address: daemon.address, rootCertPath: daemon.rootCertPath };
      };
      const again = (who: CliUser): CliUser => ({ ...who, address: daemon.address });

      beforeEach(async () => {
        temp = makeTempDir();
        await start();
      });
      afterEach(async () => {
        await daemon.stop();
        temp.remove();
      });

      it('trusts the installing user, enrols a second user with the passphrase, and keeps both across a restart', async () => {
        const admin = user('admin');
        if (transport === 'unix') {
          expect(await runCli(admin, ['list'])).to.include({ code: 0, stdout: 'No instances found.\n' });
        } else {
          expect(await runCli(admin, ['list']), 'no bootstrap over TCP').to.include({ code: 2, stderr: NOT_AUTHENTICATED });
          const certPath = join(admin.home, '.local/share/multipass-client-certificate/multipass_cert.pem');
          const added = await runDaemonCommand(['trust', 'add', certPath, '--data-dir', dataDir(), '--store', store]);
          expect(added.code, added.stderr).to.equal(0);
          expect(await runCli(admin, ['list']), 'seen without a restart').to.include({ code: 0, stdout: 'No instances found.\n' });
        }

        expect(await runCli(admin, ['set', 'local.passphrase=foo'])).to.include({ code: 0 });
        const alice = user('alice');
        expect(await runCli(alice, ['list'])).to.include({ code: 2, stderr: NOT_AUTHENTICATED });
        expect((await runCli(alice, ['authenticate', 'bar'])).code).to.equal(2);
        expect(await runCli(alice, ['authenticate', 'foo'])).to.include({ code: 0 });
        expect(await runCli(alice, ['list'])).to.include({ code: 0, stdout: 'No instances found.\n' });

        await daemon.stop();
        await start();
        expect(await runCli(again(admin), ['list'])).to.include({ code: 0 });
        expect(await runCli(again(alice), ['list'])).to.include({ code: 0 });
        expect(await runCli(again(admin), ['get', 'local.passphrase'])).to.include({ stdout: 'true\n' });
        expect(await runCli(user('bob'), ['list'])).to.include({ code: 2 });
      });
    });
  }
}
