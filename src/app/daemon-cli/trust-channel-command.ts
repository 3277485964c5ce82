import { Option } from 'clipanion';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { RpcFailure } from '../../adapters/rpc/multipass-client.js';
import type { TrustAdminClient } from '../../adapters/rpc/trust-admin-client.js';
import { accountEntry } from '../../adapters/system/getent.js';
import { resolveAdminGroup } from '../../adapters/transports/unix-group.js';
import type { DaemonConfig } from '../config/daemon-config.js';
import { daemonIdentityPaths } from '../paths.js';
import { withStores, type StoreSession } from '../store-session.js';
import { AdminFacingError, DaemonOptionsCommand } from './daemon-options.js';

/** Where a trust command did its work: through the running daemon, or on the store directly. */
export type Route = 'daemon' | 'store';

/**
 * The `multipassd trust` commands that work on the running daemon when there is one: through
 * its admin channel (multipassd.TrustAdmin) on the socket of the same configuration
 * (--data-dir, --config, --address), so a change takes effect at once; else on the store
 * directly, as offline. The daemon lets in root, its own user and the admin group, by the
 * kernel's peer credentials; over TCP it cannot tell who calls, so the commands work on the
 * store, and say so.
 */
export abstract class TrustChannelCommand extends DaemonOptionsCommand {
  offline = Option.Boolean('--offline', false, { description: 'Work on the store directly, even when the daemon runs' });
  address = Option.String('--address', { description: "The daemon's address, when not the configured one: unix:/path or host:port" });

  /** Runs `live` on the daemon's admin channel when it answers, else `offline` on the configured store. */
  protected async onDaemonOrStore<T>(
    live: (client: TrustAdminClient) => Promise<T>,
    offline: (session: StoreSession) => Promise<T>,
  ): Promise<{ result: T; route: Route }> {
    const config = this.resolveConfig({ address: this.address });
    const onStore = async () => ({ result: await withStores(config, offline), route: 'store' as const });
    if (this.offline) return onStore();
    const socket = config.address.startsWith('unix:') ? config.address.slice('unix:'.length) : undefined;
    if (socket !== undefined && !existsSync(socket)) return onStore();
    let rootCertPem: string;
    const rootCert = daemonIdentityPaths(config).rootCert;
    try {
      rootCertPem = await readFile(rootCert, 'utf8');
    } catch (error) {
      this.note(`cannot read the daemon's root certificate '${rootCert}' (${(error as Error).message}): working on the store directly`);
      return onStore();
    }
    const { connectTrustAdmin } = await import('../../adapters/rpc/trust-admin-client.js');
    const client = await connectTrustAdmin({ address: config.address, rootCertPem, ...sudoUser() });
    try {
      return { result: await live(client), route: 'daemon' };
    } catch (error) {
      if (!(error instanceof RpcFailure)) throw error;
      // Nothing listens (a socket left by a daemon that died): nothing was done, so the store it is.
      if (error.connection === 'cannot-connect') return onStore();
      // Another daemon's (another data directory's root CA): this configuration's daemon is not running there.
      if (error.connection === 'untrusted-daemon') {
        this.note(`the daemon on ${config.address} is not the one of ${config.dataDir} (its certificate is not from that root CA): working on the store directly`);
        return onStore();
      }
      if (error.status === 'PERMISSION_DENIED' && socket === undefined) {
        this.note(`the daemon listens on TCP (${config.address}), where it cannot tell who is calling: working on the store directly`);
        return onStore();
      }
      throw await refusal(error, config, socket);
    } finally {
      client.close();
    }
  }

  protected note(text: string): void {
    this.context.stderr.write(`multipassd: ${text}\n`);
  }
}

/** Who ran sudo, for the audit log: as the offline commands record it (adminActor). */
function sudoUser(): { sudoUser?: string } {
  const user = process.env.SUDO_USER;
  return user === undefined || user === '' ? {} : { sudoUser: user };
}

async function refusal(failure: RpcFailure, config: DaemonConfig, socket: string | undefined): Promise<AdminFacingError> {
  if (failure.connection === 'access-denied') {
    return new AdminFacingError(
      `cannot connect to the daemon's socket '${socket ?? config.address}': permission denied. ` +
        `Trust administration needs ${await whoMay(config, socket)}: run it with sudo`,
    );
  }
  if (failure.status === 'PERMISSION_DENIED') return new AdminFacingError(failure.details);
  return new AdminFacingError(`the daemon at '${config.address}' refused: ${failure.details}`);
}

/** The socket, refusing us, is restricted: its group is the daemon's admin group (else the configured one). */
async function whoMay(config: DaemonConfig, socket: string | undefined): Promise<string> {
  let group: string | undefined;
  try {
    if (socket !== undefined) group = (await accountEntry('group', String(statSync(socket).gid)))?.[0];
  } catch {
    group = undefined;
  }
  group ??= (await resolveAdminGroup(config.socketGroup).catch(() => undefined))?.name;
  return group === undefined ? "root or the daemon's own user" : `root or a member of the group '${group}'`;
}
