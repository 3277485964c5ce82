import { Command, Option } from 'clipanion';
import { startDaemon } from '../daemon.js';
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
    const stopRequested = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const daemon = await startDaemon(config, packageVersion());
    const cli = 'node dist/src/app/multipass.js';
    this.context.stdout.write(
      [
        `multipassd ${packageVersion()} is listening on ${daemon.address} (store: ${config.store}, data: ${config.dataDir})`,
        `Try it from another terminal:  MULTIPASS_SERVER_ADDRESS=${daemon.address} ${cli} list`,
        `The first client to connect is trusted; others run '${cli} authenticate' with the passphrase`,
        `set by '${cli} set local.passphrase'. Stop with Ctrl-C.`,
        '',
      ].join('\n'),
    );
    await stopRequested;
    await daemon.stop();
    return 0;
  }
}
