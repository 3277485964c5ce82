import { ContainerModule } from 'inversify';
import type { Listener } from '../adapters/transports/listener.js';
import { TcpListener } from '../adapters/transports/tcp-listener.js';
import { resolveAdminGroup } from '../adapters/transports/unix-group.js';
import { UnixSocketListener } from '../adapters/transports/unix-socket-listener.js';
import { Logger } from '../ports/logger.js';
import { SocketAccess } from '../ports/socket-access.js';
import { ConfigError, type DaemonConfig } from './config/daemon-config.js';
import { ListenerToken } from './tokens.js';

/**
 * The address picks the transport: `unix:/path` is the Unix socket, `host:port` is TCP.
 * (The address itself defaults per platform: see defaultAddress.) One object is both the
 * listener and the domain's SocketAccess, so restricting and listening act on one socket.
 */
export function transportsModule(config: DaemonConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    if (config.address.startsWith('unix:')) {
      bind<Listener & SocketAccess>(ListenerToken)
        .toResolvedValue(
          async (logger: Logger) => new UnixSocketListener(config.address.slice('unix:'.length), await adminGroup(config), logger),
          [Logger],
        )
        .inSingletonScope();
    } else {
      bind<Listener & SocketAccess>(ListenerToken)
        .toResolvedValue((logger: Logger) => new TcpListener(config.address, config.allowRemote, logger), [Logger])
        .inSingletonScope();
    }
    bind(SocketAccess).toService(ListenerToken);
  });
}

async function adminGroup(config: DaemonConfig) {
  try {
    return await resolveAdminGroup(config.socketGroup);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}
