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
    await new Promise<void>((resolve) => {
      const shutdown = () => {
        process.off('SIGINT', shutdown);
        process.off('SIGTERM', shutdown);
        daemon.stop().then(resolve, resolve);
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    });
    return 0;
  }
}
