import type { BaseContext } from 'clipanion';
import type { ClientTrace } from '../rpc/client-trace.js';
import type { MultipassClient } from '../rpc/multipass-client.js';
import type { DiagnosisAccess } from './diagnosis-access.js';
import type { MultipassCommandClass } from './help.js';
import type { Prompter } from './prompter.js';

/** How the commands reach the daemon; built by the composition root, faked in tests. */
export interface DaemonAccess {
  /** The daemon's address as configured (`unix:/path` or `host:port`), for messages. */
  readonly address: string;
  /**
   * Opens a client with this user's identity; `trace` shows what it does (-v ...).
   * Rejects with `RpcFailure` or `ClientSetupFailure`.
   */
  connect(trace?: ClientTrace): Promise<MultipassClient>;
}

/** What every `multipass` command receives through `this.context`: no globals. */
export interface MultipassContext extends BaseContext {
  readonly prompter: Prompter;
  readonly daemon: DaemonAccess;
  /** For `whoami` and `doctor`. */
  readonly diagnosis: DiagnosisAccess;
  /** The registered commands, for `help` and for resolving aliases. */
  readonly commands: readonly MultipassCommandClass[];
  readonly clientVersion: string;
}
