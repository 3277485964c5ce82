import { ContainerModule } from 'inversify';
import { ConnectionRegistry } from '../adapters/transports/connection-guard.js';
import type { Listener } from '../adapters/transports/listener.js';
import { TcpListener } from '../adapters/transports/tcp-listener.js';
import { resolveAdminGroup, type AdminGroup } from '../adapters/transports/unix-group.js';
import { UnixSocketListener } from '../adapters/transports/unix-socket-listener.js';
import { SystemUserDirectory } from '../adapters/system/system-user-directory.js';
import { Logger } from '../ports/logger.js';
import { OpenConnections } from '../ports/open-connections.js';
import { SocketAccess } from '../ports/socket-access.js';
import { UserDirectory } from '../ports/user-directory.js';
import { ConfigError, type DaemonConfig } from './config/daemon-config.js';
import { AdminGroupToken, ListenerToken } from './tokens.js';

/**
 * The address picks the transport: `unix:/path` is the Unix socket, `host:port` is TCP.
 * (The address itself defaults per platform: see defaultAddress.) One object is both the
 * listener and the domain's SocketAccess, so restricting and listening act on one socket.
 * The admin group is resolved once: it owns the restricted socket and decides who may bootstrap.
 */
export function transportsModule(config: DaemonConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<AdminGroup | undefined>(AdminGroupToken)
      .toResolvedValue(() => adminGroup(config))
      .inSingletonScope();
    bind(UserDirectory)
      .toResolvedValue(
        (group: AdminGroup | undefined) => new SystemUserDirectory(group, process.getuid?.() ?? -1),
        [AdminGroupToken],
      )
      .inSingletonScope();
    if (config.address.startsWith('unix:')) {
      bind<Listener & SocketAccess>(ListenerToken)
        .toResolvedValue(
          (logger: Logger, group: AdminGroup | undefined) =>
            new UnixSocketListener(config.address.slice('unix:'.length), group, logger),
          [Logger, AdminGroupToken],
        )
        .inSingletonScope();
    } else {
      bind<Listener & SocketAccess>(ListenerToken)
        .toResolvedValue((logger: Logger) => new TcpListener(config.address, config.allowRemote, logger), [Logger])
        .inSingletonScope();
    }
    bind(SocketAccess).toService(ListenerToken);
    // The server registers trusted connections here; the domain ends those of a removed certificate.
    bind(ConnectionRegistry).toConstantValue(new ConnectionRegistry());
    bind(OpenConnections).toService(ConnectionRegistry);
  });
}

async function adminGroup(config: DaemonConfig): Promise<AdminGroup | undefined> {
  try {
    return await resolveAdminGroup(config.socketGroup);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}
