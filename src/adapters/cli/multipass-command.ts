import { Command, Option } from 'clipanion';
import { clientTrace, type ClientTrace } from '../rpc/client-trace.js';
import type { MultipassClient } from '../rpc/multipass-client.js';
import type { MultipassContext } from './context.js';
import { VERBOSE_OPTION } from './help.js';

/** Multipass sends at most 4: `-vvvv` or more all mean "everything". */
export const MAX_VERBOSITY = 4;

/**
 * What every `multipass` command shares: the repeatable `-v` and a client that is always
 * closed. Failures are thrown, never printed here: the dispatcher maps them in one place.
 */
export abstract class MultipassCommand extends Command<MultipassContext> {
  verbose = Option.Counter('-v,--verbose', 0, { description: VERBOSE_OPTION.description });

  protected get verbosity(): number {
    return Math.min(this.verbose, MAX_VERBOSITY);
  }

  /** What `-v`... shows of the client's work, on stderr. */
  protected get trace(): ClientTrace | undefined {
    return clientTrace(this.verbosity, (text) => this.context.stderr.write(text));
  }

  protected async withClient<T>(use: (client: MultipassClient) => Promise<T>): Promise<T> {
    const client = await this.context.daemon.connect(this.trace);
    try {
      return await use(client);
    } finally {
      client.close();
    }
  }
}
