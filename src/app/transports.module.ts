import { ContainerModule } from 'inversify';
import { resolveAdminGroup } from '../adapters/transports/unix-group.js';
import { UnixSocketListener } from '../adapters/transports/unix-socket-listener.js';
import { Logger } from '../ports/logger.js';
import { SocketAccess } from '../ports/socket-access.js';
import { ConfigError, type DaemonConfig } from './config/daemon-config.js';
import { DaemonConfigToken, ListenerToken } from './tokens.js';

/** The address picks the transport: `unix:/path` is the Unix socket, `host:port` is TCP. */
export const transportsModule = new ContainerModule(({ bind }) => {
  bind(UnixSocketListener)
    .toResolvedValue(
      async (config: DaemonConfig, logger: Logger) =>
        new UnixSocketListener(config.address.slice('unix:'.length), await adminGroup(config), logger),
      [DaemonConfigToken, Logger],
    )
    .inSingletonScope();
  bind(ListenerToken).toService(UnixSocketListener);
  bind(SocketAccess).toService(UnixSocketListener);
});

async function adminGroup(config: DaemonConfig) {
  try {
    return await resolveAdminGroup(config.socketGroup);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}
