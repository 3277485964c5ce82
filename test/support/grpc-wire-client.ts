import { credentials, loadPackageDefinition, status, type Client, type GrpcObject, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';
import { REPO_ROOT } from './binaries.js';

/**
 * A plain grpc-js client built straight from our .proto, with none of the project's client
 * code: what any Multipass-compatible client would do.
 */
const definition = loadSync(join(REPO_ROOT, 'src', 'adapters', 'rpc', 'multipass.proto'), {
  keepCase: true,
  defaults: true,
  enums: String,
  oneofs: true,
});
const Rpc = (loadPackageDefinition(definition).multipass as GrpcObject).Rpc as ServiceClientConstructor;

export interface WireIdentity {
  readonly certPem?: string;
  readonly keyPem?: string;
}

export interface WireOutcome {
  readonly code: status;
  readonly details: string;
  readonly replies: Array<Record<string, unknown>>;
}

export function wireClient(address: string, rootCertPem: string, identity: WireIdentity = {}): Client {
  const target = address.startsWith('unix:') ? `unix://${address.slice(5)}` : address;
  const creds = credentials.createSsl(
    Buffer.from(rootCertPem),
    identity.keyPem === undefined ? null : Buffer.from(identity.keyPem),
    identity.certPem === undefined ? null : Buffer.from(identity.certPem),
  );
  return new Rpc(target, creds, { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' });
}

export function wirePing(client: Client): Promise<WireOutcome> {
  return new Promise((resolve) => {
    (client as unknown as { ping: (r: object, cb: (e: ServiceError | null) => void) => void }).ping({}, (error) =>
      resolve({ code: error?.code ?? status.OK, details: error?.details ?? '', replies: [] }),
    );
  });
}

/**
 * One request on a streaming method, as Multipass clients send it; none when `request` is
 * undefined. An abort cancels the call (it then ends with CANCELLED).
 */
export function wireStream(client: Client, method: string, request: object | undefined, signal?: AbortSignal): Promise<WireOutcome> {
  return new Promise((resolve) => {
    const call = (client as unknown as Record<string, () => NodeJS.ReadWriteStream & { on: Function; cancel: () => void }>)[method]!.call(client);
    signal?.addEventListener('abort', () => call.cancel(), { once: true });
    const replies: Array<Record<string, unknown>> = [];
    call.on('data', (reply: Record<string, unknown>) => replies.push(reply));
    call.on('error', () => undefined);
    call.on('status', (result: { code: status; details: string }) => resolve({ code: result.code, details: result.details, replies }));
    if (request !== undefined) call.write(request as never);
    call.end();
  });
}
