import { Command, Option } from 'clipanion';
import type { DaemonConfig } from '../config/daemon-config.js';
import { startDaemon } from '../daemon.js';
import { currentEnv, daemonIdentityPaths, defaultDaemonLocation } from '../paths.js';
import { packageVersion } from '../package-version.js';
import { DaemonOptionsCommand } from './daemon-options.js';

export class StartCommand extends DaemonOptionsCommand {
  static override paths = [Command.Default];

  static override usage = Command.Usage({
    description: 'Run the Multipass daemon (client authentication over gRPC + TLS)',
    examples: [
      ['Run with the defaults', '$0'],
      ['Listen on TCP', '$0 --address localhost:50051'],
    ],
  });

  address = Option.String('--address', { description: 'unix:/path/to/socket or host:port' });
  socketGroup = Option.String('--socket-group', { description: 'Group allowed on the restricted socket' });

  protected async run(): Promise<number> {
    const config = this.resolveConfig({ address: this.address, socketGroup: this.socketGroup });
    // Handlers go in before anything is announced: a signal that arrives before Node has a
    // handler kills the process at once, leaving the socket file behind.
    let onSignal = (): void => undefined;
    const stopRequested = new Promise<void>((resolve) => (onSignal = resolve));
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const daemon = await startDaemon(config, packageVersion());
      this.context.stdout.write(banner(daemon.address, config));
      await stopRequested;
      await daemon.stop();
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

/** Where the daemon listens, and a CLI line that reaches it from this checkout, as is. */
function banner(address: string, config: DaemonConfig): string {
  const cli = 'node dist/src/app/multipass.js';
  const found = defaultDaemonLocation(currentEnv());
  const root = daemonIdentityPaths(config).rootCert;
  // Without variables only if the CLI's own discovery lands on this daemon.
  const reach =
    found.address === address && found.rootCertPath === root
      ? cli
      : `MULTIPASS_SERVER_ADDRESS=${address} MULTIPASS_ROOT_CERT=${root} ${cli}`;
  return [
    `multipassd ${packageVersion()} is listening on ${address} (store: ${config.store}, data: ${config.dataDir})`,
    'Try it from another terminal:',
    `  ${reach} list`,
    `The first client on the Unix socket is trusted; others run '${cli} authenticate' with the passphrase`,
    `that client sets with '${cli} set local.passphrase'. Stop with Ctrl-C.`,
    '',
  ].join('\n');
}
