import { randomUUID } from 'node:crypto';
import type { Fingerprint } from '../../domain/fingerprint.js';
import type { TrustRecord } from '../../domain/trust-record.js';
import { createEcCertificate } from '../crypto/x509-keys.js';
import { RpcFailure } from './multipass-client.js';
import { TRUST_ADMIN_WIRE } from './multipassd-wire-schema.js';
import { trustRecordFromWire, wireFingerprint, type WireTrustRecord } from './trust-record-wire.js';
import { OWN_SERVICE_DEADLINE_MS, WireClient } from './wire-client.js';

export interface TrustChange {
  readonly changed: boolean;
  readonly auditProblem?: string;
}

/** The running daemon's `multipassd.TrustAdmin`, as `multipassd trust ...` uses it. Every method rejects with `RpcFailure`. */
export interface TrustAdminClient {
  /** Every trusted certificate; `fault` when the daemon cannot read its store. */
  list(): Promise<{ readonly records: readonly TrustRecord[]; readonly fault?: string }>;
  /** Undefined when the certificate is not trusted. */
  show(fingerprint: Fingerprint): Promise<TrustRecord | undefined>;
  add(pem: string, label: string | undefined): Promise<TrustChange & { readonly added: boolean; readonly fingerprint: Fingerprint }>;
  remove(fingerprint: Fingerprint): Promise<TrustChange & { readonly connectionsClosed: number }>;
  label(fingerprint: Fingerprint, label: string | undefined): Promise<TrustChange>;
  close(): void;
}

interface WireChange {
  changed: boolean;
  added: boolean;
  fingerprint: string;
  audit_problem: string;
  connections_closed: number;
}

const change = (reply: WireChange): TrustChange => ({
  changed: reply.changed,
  ...(reply.audit_problem === '' ? {} : { auditProblem: reply.audit_problem }),
});

/**
 * Opens the admin channel. The certificate it presents is made here, in memory, for this one
 * run, and is never stored nor trusted: it only lets the daemon map calls to their connection,
 * whose peer credentials are what the daemon checks. `sudoUser` goes into the audit log, as
 * the offline commands record it.
 */
export async function connectTrustAdmin(options: { address: string; rootCertPem: string; sudoUser?: string }): Promise<TrustAdminClient> {
  const now = Date.now();
  const ephemeral = await createEcCertificate({
    profile: 'client',
    subject: `CN=multipassd-admin-${randomUUID()}, O=multipassd-auth`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 60 * 60_000),
  });
  const channel = { address: options.address, rootCertPem: options.rootCertPem, clientCertPem: ephemeral.certPem, clientKeyPem: ephemeral.keyPem };
  const client = new WireClient(TRUST_ADMIN_WIRE, channel, OWN_SERVICE_DEADLINE_MS);
  return new GrpcTrustAdminClient(client, options.sudoUser ?? '');
}

class GrpcTrustAdminClient implements TrustAdminClient {
  constructor(
    private readonly client: WireClient,
    private readonly sudoUser: string,
  ) {}

  async list(): Promise<{ records: readonly TrustRecord[]; fault?: string }> {
    const reply = await this.client.unary<{ certificates: WireTrustRecord[]; fault: string }>('list', {});
    const records = reply.certificates.map(trustRecordFromWire);
    return reply.fault === '' ? { records } : { records, fault: reply.fault };
  }

  async show(fingerprint: Fingerprint): Promise<TrustRecord | undefined> {
    try {
      const reply = await this.client.unary<{ certificate: WireTrustRecord | null }>('show', { fingerprint });
      return reply.certificate === null ? undefined : trustRecordFromWire(reply.certificate);
    } catch (error) {
      if (error instanceof RpcFailure && error.status === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  async add(pem: string, label: string | undefined) {
    const reply = await this.client.unary<WireChange>('add', { pem, label: label ?? '', sudo_user: this.sudoUser });
    return { ...change(reply), added: reply.added, fingerprint: wireFingerprint(reply.fingerprint) };
  }

  async remove(fingerprint: Fingerprint) {
    const reply = await this.client.unary<WireChange>('remove', { fingerprint, sudo_user: this.sudoUser });
    return { ...change(reply), connectionsClosed: Number(reply.connections_closed) };
  }

  async label(fingerprint: Fingerprint, label: string | undefined): Promise<TrustChange> {
    return change(await this.client.unary<WireChange>('label', { fingerprint, label: label ?? '', sudo_user: this.sudoUser }));
  }

  close(): void {
    this.client.close();
  }
}
