import type { Writable } from 'node:stream';

/**
 * Makes `multipassd trust list | head -1` end quietly. Node ignores SIGPIPE, so a write to a
 * pipe whose reader has gone fails with EPIPE, and an 'error' event nobody listens to is a
 * stack trace. What was not read is dropped: the command still finishes its work (a change is
 * never left half done because nobody read its report), exits with its own code, and a running
 * daemon keeps serving. Any other error on the stream stays fatal, as before.
 */
export function ignoreClosedReader(...streams: Writable[]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // After the first EPIPE the stream is destroyed: later writes fail with ERR_STREAM_DESTROYED.
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
      throw error;
    });
  }
}
