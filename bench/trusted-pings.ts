// The load every per-call figure is measured under: trusted pings from one client, a fixed
// number in flight (npm run bench's per-call rows, per-call-instructions, per-call-profile).
import { status, type Client } from '@grpc/grpc-js';
import { wirePing } from '../test/support/grpc-wire-client.js';

export const IN_FLIGHT = 32;

/** `count` trusted pings, IN_FLIGHT at a time; throws on the first that is not OK. */
export async function trustedPings(client: Client, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const outcome = await wirePing(client);
      if (outcome.code !== status.OK) throw new Error(`a ping failed under load: ${outcome.details}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}
