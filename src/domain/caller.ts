import type { ClientCertificate } from './client-certificate.js';
import type { Peer } from './peer.js';

export type TransportKind = 'unix' | 'tcp';

/** Who is on the other end of one RPC: how they reached us, who the OS says they are, and what certificate they showed. */
export interface Caller {
  readonly transport: TransportKind;
  /** From the connection (peer credentials or remote address); `unknown` when the OS cannot tell. */
  readonly peer: Peer;
  /** Absent when the TLS client presented no certificate. */
  readonly certificate?: ClientCertificate;
}
