import { status, type Client } from '@grpc/grpc-js';
import { expect } from 'chai';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wirePing, wireStream } from '../support/grpc-wire-client.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate, type TestCertificate } from '../support/test-certificates.js';
import { propertyRuns, runScale } from './property-runs.js';
import { encodeRequest, rawCall, RPC_METHODS, type RawOutcome, type RpcMethod } from '../support/raw-rpc.js';

/** Far above any honest answer (a passphrase check takes well under a second): reaching it means a hang. */
// Longer than the longest legitimate wait: a wrong guess may sit out the throttle's backoff
// (up to 10 s) and a queued check is answered within 30 s (src/domain/enrolment-throttle.ts).
// Every caller here is the same uid, so wrong passphrases do pile up on one peer.
const DEADLINE_MS = 35_000;
const SECRET = randomBytes(24).toString('hex');
const UNTRUSTED_MAY_GET = [
  status.UNAUTHENTICATED,
  status.INVALID_ARGUMENT,
  status.FAILED_PRECONDITION,
  status.RESOURCE_EXHAUSTED,
  status.INTERNAL,
];
const TRUSTED_MAY_GET = [status.OK, status.INVALID_ARGUMENT, status.FAILED_PRECONDITION, status.RESOURCE_EXHAUSTED];

const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 20 });
/** A long text as its recipe, so that a counterexample prints as one line and shrinks in a few steps. */
interface Repeated {
  readonly unit: string;
  readonly repeat: number;
}
const text: fc.Arbitrary<string | Repeated> = fc.oneof(
  fc.constantFrom('', 'local.passphrase', 'local.passphrase\u0000', 'LOCAL.PASSPHRASE', ' local.passphrase', 'local.', '\u0000', 'pem'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  anyUtf16,
  // Up to ~1 MiB: large, but under grpc's 4 MiB message limit.
  fc.record({ unit: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }), repeat: fc.constantFrom(1000, 20_000, 100_000, 250_000) }),
);
/** The request with every recipe made into its text. */
const materialised = (request: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(request).map(([field, value]) => [
      field,
      typeof value === 'object' && value !== null && 'repeat' in value ? (value as Repeated).unit.repeat((value as Repeated).repeat) : value,
    ]),
  );
const verbosity = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, 1, 4, 5, -1));
/** Fields of the method's request, each present or not, plus fields the method does not have. */
const requestFor: Record<RpcMethod, fc.Arbitrary<Record<string, unknown>>> = {
  ping: fc.record({ unknown_field: text }, { requiredKeys: [] }),
  version: fc.record({ verbosity_level: verbosity }, { requiredKeys: [] }),
  list: fc.record({ verbosity_level: verbosity, snapshots: fc.boolean(), request_ipv4: fc.boolean() }, { requiredKeys: [] }),
  get: fc.record({ key: text, verbosity_level: verbosity }, { requiredKeys: [] }),
  set: fc.record({ key: text, val: text, verbosity_level: verbosity, authorized: fc.boolean() }, { requiredKeys: [] }),
  authenticate: fc.record({ passphrase: text, verbosity_level: verbosity }, { requiredKeys: [] }),
};
const typedCall = fc.constantFrom(...RPC_METHODS).chain((method) => fc.record({ method: fc.constant(method), request: requestFor[method] }));

/** How the daemon compares passphrases: NFC, then UTF-8 (which turns lone surrogates into U+FFFD). */
const passphraseKey = (passphrase: string): string => Buffer.from(passphrase.normalize('NFC'), 'utf8').toString('hex');

/**
 * A hostile local user sends whatever they like to every method of a real daemon. Whatever
 * it is, the daemon answers with a status before the deadline, never trusts someone it should
 * not, and keeps serving its trusted clients. Each case opens its own connection, so that a
 * case that breaks one cannot make the next look broken.
 */
describe('RPC payload properties', function () {
  this.timeout(120_000 * runScale());
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;
  let rootCert: string;
  let admin: TestCertificate;
  /** Certificates the daemon does not trust; one that enrols is replaced. */
  const strangers: TestCertificate[] = [];
  /** What the daemon's passphrase is now (as compared), as the trusted calls that succeeded set it. */
  let passphrase: string | undefined;

  const connect = (cert: TestCertificate | undefined): Client =>
    wireClient(daemon.address, rootCert, cert === undefined ? {} : { certPem: cert.pem, keyPem: cert.keyPem });
  const withClient = async <T>(cert: TestCertificate | undefined, use: (client: Client) => Promise<T>): Promise<T> => {
    const client = connect(cert);
    try {
      return await use(client);
    } finally {
      client.close();
    }
  };

  before(async () => {
    temp = makeTempDir();
    daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${temp.path}/sock`] });
    rootCert = readFileSync(daemon.rootCertPath, 'utf8');
    admin = await makeTestCertificate('admin');
    // The first caller on the restricted socket is trusted; after it, nobody is without the passphrase.
    expect((await withClient(admin, (client) => wireStream(client, 'list', {}))).code).to.equal(status.OK);
    strangers.push(await makeTestCertificate('stranger'), await makeTestCertificate('stranger'));
  });

  beforeEach(async () => {
    const outcome = await withClient(admin, (client) => wireStream(client, 'set', { key: 'local.passphrase', val: SECRET }));
    expect(outcome.code).to.equal(status.OK);
    passphrase = passphraseKey(SECRET);
  });

  afterEach(async () => {
    expect(daemon.child.exitCode, `the daemon died:\n${daemon.stderr()}`).to.equal(null);
    expect((await withClient(admin, wirePing)).code, 'a trusted ping still succeeds').to.equal(status.OK);
    expect(daemon.stderr(), 'no handler failed unexpectedly').not.to.contain('rpc failed');
  });

  after(async () => {
    await daemon?.stop();
    temp?.remove();
  });

  /** Who a case calls as: 0 = the trusted admin, 1 = no certificate, 2 and 3 = untrusted certificates. */
  const who = fc.nat({ max: 3 });
  const NAMES = ['admin', 'anonymous', 'stranger', 'stranger'];
  const certificateOf = (index: number): TestCertificate | undefined =>
    index === 0 ? admin : index === 1 ? undefined : strangers[index - 2];

  /** Checks one answer, and follows the passphrase and the strangers through what it changed. */
  const judge = async (index: number, method: RpcMethod, request: Record<string, unknown> | undefined, { code, details }: RawOutcome) => {
    const what = `${method} as ${NAMES[index]} -> ${status[code]}: ${details.slice(0, 200)}`;
    expect(code, `no answer before the deadline: ${what}`).not.to.equal(status.DEADLINE_EXCEEDED);
    if (index === 0) {
      // Bytes that are no message at all are grpc-js's INTERNAL; a well-formed request never is.
      expect(request === undefined ? [...TRUSTED_MAY_GET, status.INTERNAL] : TRUSTED_MAY_GET, what).to.include(code);
      if (code === status.OK && method === 'set' && request?.key === 'local.passphrase') {
        const value = String(request.val ?? '');
        passphrase = value === '' ? undefined : passphraseKey(value);
      }
      return;
    }
    const enrolled =
      code === status.OK && index >= 2 && method === 'authenticate' && request !== undefined && passphrase === passphraseKey(String(request.passphrase ?? ''));
    if (enrolled) {
      // Rightly: that stranger knew the passphrase. Put a new stranger in its place.
      strangers[index - 2] = await makeTestCertificate('stranger');
      return;
    }
    expect(UNTRUSTED_MAY_GET, what).to.include(code);
  };

  it('answers any field values on every method with a status, and trusts nobody without the passphrase', async () => {
    await fc.assert(
      fc.asyncProperty(who, typedCall, async (index, call) => {
        const request = materialised(call.request);
        const outcome = await withClient(certificateOf(index), (client) =>
          rawCall(client, call.method, [encodeRequest(client, call.method, request)], DEADLINE_MS),
        );
        await judge(index, call.method, request, outcome);
      }),
      {
        ...propertyRuns(60, { ciTimeLimitMs: 40000 }),
        // Found by these properties: the daemon echoes an unknown key in its status message, and
        // a status message this long never reaches the client, whose call then hangs.
        examples: [[0, { method: 'get' as RpcMethod, request: { key: { unit: 'k', repeat: 100_000 } } }]],
      },
    );
  });

  it('answers any bytes as a message body on every method with a status, and trusts nobody', async () => {
    const validThenJunk = typedCall
      .filter(({ method, request }) => method !== 'set' || request.key !== 'local.passphrase')
      .chain(({ method, request }) =>
        fc.record({ cut: fc.nat(), junk: fc.uint8Array({ maxLength: 20 }) }).map(({ cut, junk }) => ({ method, request, cut, junk })),
      );
    // 'oversized' stands for a message over grpc's 4 MiB limit (made at call time: it would not print).
    const body = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constant('oversized' as const));
    const bytesOf = (message: Uint8Array | 'oversized'): Buffer =>
      message === 'oversized' ? Buffer.alloc(4 * 1024 * 1024 + 1, 0x0a) : Buffer.from(message);
    const rawCase = fc.oneof(
      fc.record({ method: fc.constantFrom(...RPC_METHODS), messages: fc.array(body, { maxLength: 3 }) }),
      // A real request cut short or with bytes after it: half-valid protobuf.
      validThenJunk,
    );
    await fc.assert(
      fc.asyncProperty(who, rawCase, async (index, sent) => {
        const outcome = await withClient(certificateOf(index), (client) => {
          if ('messages' in sent) return rawCall(client, sent.method, sent.messages.map(bytesOf), DEADLINE_MS);
          const encoded = encodeRequest(client, sent.method, materialised(sent.request));
          const message = Buffer.concat([encoded.subarray(0, sent.cut % (encoded.length + 1)), Buffer.from(sent.junk)]);
          return rawCall(client, sent.method, [message], DEADLINE_MS);
        });
        await judge(index, sent.method, undefined, outcome);
      }),
      propertyRuns(60, { ciTimeLimitMs: 40000 }),
    );
  });
});
