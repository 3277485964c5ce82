import type { ClientCertificate } from './client-certificate.js';

export type TransportKind = 'unix' | 'tcp';

/** Who is on the other end of one RPC: how they reached us, and what certificate they showed. */
export interface Caller {
  readonly transport: TransportKind;
  /** Absent when the TLS client presented no certificate. */
  readonly certificate?: ClientCertificate;
}
