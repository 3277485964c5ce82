import { credentials, type Client, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, grpcTarget, toFailure } from './grpc-multipass-client.js';

export interface ChannelCredentials {
  /** `unix:/path` or `host:port`. */
  readonly address: string;
  /** The daemon's root CA: its certificate must chain to it. */
  readonly rootCertPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
}

/** A client of one of multipassd's own services (multipassd.proto), verified as the CLI verifies the daemon. */
export function ownServiceClient(Service: ServiceClientConstructor, options: ChannelCredentials): Client {
  const channel = credentials.createSsl(Buffer.from(options.rootCertPem), Buffer.from(options.clientKeyPem), Buffer.from(options.clientCertPem));
  return new Service(grpcTarget(options.address), channel, CHANNEL_OPTIONS);
}

/** How long a call may take, connecting included: a wedged daemon is an error, not a hang. */
const DEADLINE_MS = 15_000;

/** One unary call; rejects with `RpcFailure` (the daemon's status, or why it was never reached). */
export function unaryCall<Reply>(client: Client, method: string, request: object): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const call = (client as unknown as Record<string, Function>)[method] as (
      request: object,
      options: { deadline: number },
      callback: (error: ServiceError | null, reply: Reply) => void,
    ) => void;
    call.call(client, request, { deadline: Date.now() + DEADLINE_MS }, (error, reply) => (error ? reject(toFailure(error)) : resolve(reply)));
  });
}
