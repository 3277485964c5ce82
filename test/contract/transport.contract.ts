import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { connect as netConnect } from 'node:net';
import { ensureDaemonIdentity } from '../../src/adapters/crypto/daemon-identity.js';
import { GrpcServer } from '../../src/adapters/rpc/grpc-server.js';
import { ListenError, type Listener } from '../../src/adapters/transports/listener.js';
import { MULTIPASS_WIRE } from '../../src/adapters/rpc/multipass-wire-schema.js';
import type { RpcCall, ServedService } from '../../src/adapters/rpc/rpc-handlers.js';
import type { SocketAccess } from '../../src/ports/socket-access.js';
import { wireClient, wireStream } from '../support/grpc-wire-client.js';
import { NullLogger } from '../support/fakes/null-logger.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';

export interface TransportUnderTest {
  readonly listener: Listener & SocketAccess;
  /** Whether the OS restricts who may connect (Unix socket) or not (TCP). */
  readonly restrictable: boolean;
  /** Another listener for the same address, to check that it is refused. */
  sameAddress(): Listener;
  /** Opens a raw (non-TLS) connection to the listener's address. */
  rawConnect(): ReturnType<typeof netConnect>;
}

/** Builds the transport in a fresh directory (for sockets) with a fresh port (port 0). */
export type TransportFactory = (dir: string) => Promise<TransportUnderTest>;

/**
 * What every transport must do: hand each call's certificate (or its absence) to the
 * service, survive garbage, and report its access restriction. Run by one *.test.ts per adapter.
 */
export function transportContract(name: string, make: TransportFactory): void {
  describe(`${name} (Transport contract)`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let transport: TransportUnderTest;
    let server: GrpcServer;
    let rootCert: string;

    // `version` answers with what the transport told the service about the caller.
    const whoAmI: ServedService = {
      schema: MULTIPASS_WIRE,
      handlers: { version: async (_request: unknown, call: RpcCall) => [{ version: call.connection.certificate?.fingerprint ?? 'anonymous' }] },
    };

    const ask = async (identity: { certPem?: string; keyPem?: string }) => {
      const client = wireClient(server.address(), rootCert, identity);
      try {
        const outcome = await wireStream(client, 'version', {});
        expect(outcome.code, outcome.details).to.equal(status.OK);
        return outcome.replies[0]?.version;
      } finally {
        client.close();
      }
    };

    beforeEach(async () => {
      temp = makeTempDir();
      const identity = await ensureDaemonIdentity(`${temp.path}/certificate`);
      rootCert = identity.rootCertPem;
      transport = await make(temp.path);
      server = new GrpcServer(transport.listener, { certPem: identity.serverCertPem, keyPem: identity.serverKeyPem }, new NullLogger());
      await server.start([whoAmI]);
    });

    afterEach(async () => {
      await server.stop();
      temp.remove();
    });

    it('identifies a client by the SHA-256 fingerprint of its certificate', async () => {
      const cert = await makeTestCertificate();
      expect(await ask({ certPem: cert.pem, keyPem: cert.keyPem })).to.equal(cert.fingerprint);
    });

    it('identifies a client without a certificate as anonymous', async () => {
      expect(await ask({})).to.equal('anonymous');
    });

    it('keeps each connection to its own certificate', async () => {
      const [a, b] = [await makeTestCertificate(), await makeTestCertificate()];
      const answers = await Promise.all([
        ask({ certPem: a.pem, keyPem: a.keyPem }),
        ask({ certPem: b.pem, keyPem: b.keyPem }),
        ask({}),
      ]);
      expect(answers).to.deep.equal([a.fingerprint, b.fingerprint, 'anonymous']);
    });

    it('drops a plaintext client and keeps serving', async () => {
      await new Promise<void>((resolve) => {
        const socket = transport.rawConnect();
        socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
      expect(await ask({})).to.equal('anonymous');
    });

    it('refuses a second listener on the same address', async () => {
      const second = transport.sameAddress();
      let refused: unknown;
      try {
        await second.listen((await import('node:tls')).createServer());
      } catch (error) {
        refused = error;
      } finally {
        await second.close();
      }
      expect(refused).to.be.instanceOf(ListenError);
      expect(await ask({})).to.equal('anonymous');
    });

    it('reports whether the OS restricts access, and open() lifts it', async () => {
      await transport.listener.restrict();
      expect(transport.listener.isRestricted()).to.equal(transport.restrictable);
      await transport.listener.open();
      expect(transport.listener.isRestricted()).to.equal(false);
      await transport.listener.open();
      expect(transport.listener.isRestricted()).to.equal(false);
    });
  });
}
