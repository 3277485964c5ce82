import { Command, Option } from 'clipanion';
import { InstanceLockedError } from '../../adapters/fs/instance-lock.js';
import { UnsafePathError } from '../../adapters/fs/unsafe-path-error.js';
import { ListenError } from '../../adapters/transports/listener.js';
import { AuthError } from '../../domain/auth-error.js';
import { ConfigError, resolveDaemonConfig, type DaemonConfig } from '../config/daemon-config.js';
import { currentEnv } from '../paths.js';

/** The flags every `multipassd` command shares, so offline admin commands see the same store. */
export abstract class DaemonOptionsCommand extends Command {
  dataDir = Option.String('--data-dir', { description: 'Where multipassd keeps its state' });
  config = Option.String('--config', { description: 'YAML config file (default: <data-dir>/multipassd.yaml)' });
  perUser = Option.Boolean('--per-user', false, {
    description: "Use this user's directories and socket even as root (what npm start does)",
  });
  store = Option.String('--store', { description: 'Trusted-certificate store: pem, sqlite or postgres (postgres_url in the config)' });
  layout = Option.String('--layout', {
    description: "Where the daemon's certificates are: native (<data-dir>/certificate/) or multipass (where Multipass keeps them)",
  });
  verbose = Option.Counter('-v,--verbose', 0, { description: 'More log output (-v debug, -vv trace)' });

  /** The command's work; start-up refusals an admin must act on become one line and exit 1. */
  protected abstract run(): Promise<number>;

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (error) {
      if (isAdminFacing(error)) {
        this.context.stderr.write(`multipassd: ${(error as Error).message}\n`);
        return 1;
      }
      throw error;
    }
  }

  protected resolveConfig(extra: { address?: string | undefined; socketGroup?: string | undefined; logFormat?: string | undefined } = {}): DaemonConfig {
    return resolveDaemonConfig(
      {
        dataDir: this.dataDir,
        config: this.config,
        store: this.store,
        layout: this.layout,
        perUser: this.perUser,
        verbosity: this.verbose,
        ...extra,
      },
      currentEnv(),
      process.platform,
    );
  }
}

/** Errors raised for the admin to read (a missing socket group, an unreadable store file). */
export class AdminFacingError extends Error {
  override name = 'AdminFacingError';
}

/**
 * What an admin can act on from one line: bad configuration, an address in use or another
 * daemon holding the socket or data dir, a store that cannot be read or written, an unsafe
 * path (a planted link, a directory others can write), a file system refusal (EACCES,
 * EROFS...). Anything else is a bug and keeps its stack trace.
 */
function isAdminFacing(error: unknown): boolean {
  return (
    error instanceof AdminFacingError ||
    error instanceof ConfigError ||
    error instanceof ListenError ||
    error instanceof InstanceLockedError ||
    error instanceof UnsafePathError ||
    AuthError.is(error) ||
    (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && 'syscall' in error)
  );
}
