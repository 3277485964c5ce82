import { Command, Option } from 'clipanion';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SystemdNotifier } from '../../adapters/system/sd-notify.js';
import { Logger } from '../../ports/logger.js';
import type { DaemonConfig } from '../config/daemon-config.js';
import { startDaemon } from '../daemon.js';
import { currentEnv, daemonIdentityPaths, defaultDaemonLocation } from '../paths.js';
import { PACKAGE_ROOT } from '../package-root.js';
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
      // Under systemd (Type=notify): started means listening, and a stop is not a crash.
      const notifier = SystemdNotifier.fromEnvironment(process.env, daemon.container.get<Logger>(Logger));
      notifier.ready(`listening on ${daemon.address}`);
      await stopRequested;
      notifier.stopping('stopping');
      await daemon.stop();
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

/** Where the daemon listens, who can reach it, and a CLI line that reaches it as printed. */
function banner(address: string, config: DaemonConfig): string {
  const cli = cliCommand();
  const found = defaultDaemonLocation(currentEnv());
  const root = daemonIdentityPaths(config).rootCert;
  // Without variables only if the CLI's own discovery lands on this daemon.
  const reach =
    found.address === address && found.rootCertPath === root
      ? cli
      : `MULTIPASS_SERVER_ADDRESS=${address} MULTIPASS_ROOT_CERT=${root} ${cli}`;
  const closed = address.startsWith('unix:') ? closedAncestor(address.slice('unix:'.length)) : undefined;
  return [
    `multipassd ${packageVersion()} is listening on ${address} (store: ${config.store}, data: ${config.dataDir})`,
    'Try it from another terminal:',
    `  ${reach} list`,
    ...(closed === undefined
      ? [
          `The first client on the Unix socket is trusted; others run '${cli} authenticate' with the passphrase`,
          `that client sets with '${cli} set local.passphrase'. Stop with Ctrl-C.`,
        ]
      : [
          `Only this user can reach it (${closed} is closed to others): a per-user daemon, for development.`,
          "For one that every user shares, run multipassd as root without --per-user, or install the",
          "system service ('multipassd service install'). Stop with Ctrl-C.",
        ]),
    '',
  ].join('\n');
}

/** From this checkout, the built CLI by its path (npm start); otherwise the installed command. */
function cliCommand(): string {
  const local = 'dist/src/app/multipass.js';
  return resolve(local) === fileURLToPath(new URL(local, PACKAGE_ROOT)) && existsSync(local) ? `node ${local}` : 'multipass';
}

/** The first directory above the socket that other users cannot pass through, if any. */
function closedAncestor(socketPath: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  for (let dir = dirname(socketPath); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
