import { Command, Option } from 'clipanion';
import { statSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileOwners } from '../../adapters/system/file-owners.js';
import { SystemdNotifier } from '../../adapters/system/sd-notify.js';
import { Logger } from '../../ports/logger.js';
import type { DaemonConfig } from '../config/daemon-config.js';
import { startDaemon } from '../daemon.js';
import { currentEnv, daemonIdentityPaths, defaultConfigPath, defaultDaemonLocation, defaultDataDir } from '../paths.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { packageVersion } from '../package-version.js';
import { DaemonOptionsCommand } from './daemon-options.js';
import { shellWord, startBanner, type SocketFacts } from './start-banner.js';

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
  logFormat = Option.String('--log-format', { description: 'json or human (default: human on a terminal, else json)' });

  protected async run(): Promise<number> {
    const config = this.resolveConfig({ address: this.address, socketGroup: this.socketGroup, logFormat: this.logFormat });
    // Handlers go in before anything is announced: a signal that arrives before Node has a
    // handler kills the process at once, leaving the socket file behind.
    let onSignal = (): void => undefined;
    const stopRequested = new Promise<void>((resolve) => (onSignal = resolve));
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const daemon = await startDaemon(config, packageVersion());
      this.context.stdout.write(await banner(daemon.address, config));
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

/** The banner's facts: how the CLI and the admin commands reach this daemon, and who may use its socket. */
async function banner(address: string, config: DaemonConfig): Promise<string> {
  const env = currentEnv();
  const cli = builtCommand('multipass');
  const found = defaultDaemonLocation(env);
  const root = daemonIdentityPaths(config).rootCert;
  // Without variables only if the CLI's own discovery lands on this daemon.
  const reachVars =
    found.address === address && found.rootCertPath === root ? '' : `MULTIPASS_SERVER_ADDRESS=${shellWord(address)} MULTIPASS_ROOT_CERT=${shellWord(root)} `;
  const storeFlags = [
    ...(config.dataDir === defaultDataDir(env) ? [] : ['--data-dir', config.dataDir]),
    ...(config.configFile === undefined || config.configFile === defaultConfigPath(config.dataDir) ? [] : ['--config', config.configFile]),
    ...(config.store === 'pem' ? [] : ['--store', config.store]),
  ];
  return startBanner({
    version: packageVersion(),
    address,
    store: config.store,
    dataDir: config.dataDir,
    cli,
    // sudo's secure_path may not hold this node: name it by its path.
    admin: process.getuid?.() === 0 ? `sudo ${builtCommand('multipassd', process.execPath)}` : builtCommand('multipassd'),
    reachVars,
    storeFlags: storeFlags.map((word) => ` ${shellWord(word)}`).join(''),
    ...(address.startsWith('unix:') ? { socket: await socketFacts(address.slice('unix:'.length)) } : {}),
  });
}

/** Installed (npm install -g), the command's name; from a checkout, node and the built file's absolute path. */
function builtCommand(name: 'multipass' | 'multipassd', node = 'node'): string {
  // The daemon runs as a bundle: paths go from the package root, not from this module.
  const file = fileURLToPath(new URL(`dist/src/app/${name}.js`, PACKAGE_ROOT));
  return file.split(sep).includes('node_modules') ? name : `${shellWord(node)} ${shellWord(file)}`;
}

async function socketFacts(socketPath: string): Promise<SocketFacts> {
  const stats = statSync(socketPath);
  const { owner, group } = await fileOwners(stats);
  return {
    closedAncestor: closedAncestor(socketPath),
    open: (stats.mode & 0o006) === 0o006,
    restrictedTo: (stats.mode & 0o060) === 0o060 ? `${owner} or a member of the group '${group}'` : owner,
  };
}

/** The first directory above the socket that other users cannot pass through, if any. */
function closedAncestor(socketPath: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  for (let dir = dirname(socketPath); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
