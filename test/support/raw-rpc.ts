import { Metadata, status, type Client, type ServiceClientConstructor } from '@grpc/grpc-js';

export const RPC_METHODS = ['ping', 'version', 'list', 'get', 'set', 'authenticate'] as const;
export type RpcMethod = (typeof RPC_METHODS)[number];

export interface RawOutcome {
  readonly code: status;
  readonly details: string;
}

const asIs = (bytes: Buffer): Buffer => bytes;

/** The wire definition of `method` on a client made by grpc-wire-client's `wireClient`. */
function definitionOf(client: Client, method: RpcMethod) {
  const definition = (client.constructor as ServiceClientConstructor).service[method];
  if (definition === undefined) throw new Error(`no method '${method}' on this client`);
  return definition;
}

/** A request object as the method's own serializer encodes it (what any client would send). */
export function encodeRequest(client: Client, method: RpcMethod, request: object): Buffer {
  return definitionOf(client, method).requestSerialize(request);
}

/**
 * Sends `messages` as they are, whatever they hold, as the body of a call to `method`
 * (a unary method sends the first, or an empty one), then half-closes; resolves with the status.
 */
export function rawCall(client: Client, method: RpcMethod, messages: readonly Buffer[], deadlineMs: number): Promise<RawOutcome> {
  const definition = definitionOf(client, method);
  const deadline = Date.now() + deadlineMs;
  return new Promise((resolve) => {
    if (!definition.requestStream) {
      client.makeUnaryRequest(definition.path, asIs, asIs, messages[0] ?? Buffer.alloc(0), new Metadata(), { deadline }, (error) =>
        resolve({ code: error?.code ?? status.OK, details: error?.details ?? '' }),
      );
      return;
    }
    const call = client.makeBidiStreamRequest(definition.path, asIs, asIs, new Metadata(), { deadline });
    call.on('data', () => undefined);
    call.on('error', () => undefined);
    call.on('status', (result: { code: status; details: string }) => resolve({ code: result.code, details: result.details }));
    for (const message of messages) call.write(message);
    call.end();
  });
}
