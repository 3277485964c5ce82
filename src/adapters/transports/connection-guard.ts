import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { ClientCertificate } from '../../domain/client-certificate.js';
import type { ConnectionLimits, UntrustedSlot } from '../../domain/connection-limits.js';
import type { Fingerprint } from '../../domain/fingerprint.js';
import type { Peer } from '../../domain/peer.js';
import type { OpenConnections } from '../../ports/open-connections.js';
import type { ClosedConnectionLog, CloseReason } from './closed-connection-log.js';

export interface ConnectionGuardSettings {
  /** From accept to a finished TLS handshake, whatever the client sends meanwhile. */
  readonly handshakeTimeoutMs: number;
  /** From accept until the connection shows a trusted certificate or enrols. */
  readonly untrustedTimeoutMs: number;
}

export const DEFAULT_GUARD_SETTINGS: ConnectionGuardSettings = { handshakeTimeoutMs: 10_000, untrustedTimeoutMs: 60_000 };

export interface ConnectionGuardDeps {
  readonly settings: ConnectionGuardSettings;
  readonly limits: ConnectionLimits;
  readonly closed: ClosedConnectionLog;
  /** Who the OS says is at the other end (the listener knows how to ask). */
  peerOf(socket: Socket): Peer;
  /** O(1): is this certificate pinned in the store? */
  isTrusted(fingerprint: Fingerprint): boolean;
  /** Where trusted connections are registered by certificate, so that they can be ended when it is removed. */
  readonly registry?: ConnectionRegistry;
}

/**
 * One accepted connection, from the raw socket to the end. Until it shows a trusted
 * certificate (or enrols) it holds a slot under the per-peer and total caps and must get
 * there before its deadline, or it is destroyed: a client that sends nothing, stalls or
 * trickles the handshake, or wedges the HTTP/2 session with a malformed frame (which leaves
 * the socket unread, so its descriptor would otherwise never be released), costs nothing lasting.
 */
export class GuardedConnection {
  certificate: ClientCertificate | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private trusted = false;

  constructor(
    readonly peer: Peer,
    private readonly raw: Socket,
    private readonly slot: UntrustedSlot,
    private readonly deps: ConnectionGuardDeps,
  ) {
    raw.once('close', () => {
      this.slot.release();
      this.clearDeadline();
      if (this.trusted && this.certificate !== undefined) deps.registry?.forget(this.certificate.fingerprint, this);
    });
    this.arm(deps.settings.handshakeTimeoutMs, 'handshake-timeout');
  }

  /** TLS is done: from now on only trust ends the deadline. */
  handshakeDone(certificate: ClientCertificate | undefined): void {
    this.certificate = certificate;
    if (certificate !== undefined && this.deps.isTrusted(certificate.fingerprint)) {
      this.markTrusted();
      return;
    }
    this.arm(this.deps.settings.untrustedTimeoutMs, 'untrusted-timeout');
  }

  /** The connection's certificate is trusted (it was, or it just enrolled or bootstrapped). */
  markTrusted(): void {
    if (this.trusted) return;
    this.trusted = true;
    this.clearDeadline();
    this.slot.release();
    if (this.certificate !== undefined && !this.raw.destroyed) this.deps.registry?.remember(this.certificate.fingerprint, this);
  }

  /** Ends a trusted connection whose certificate was removed (not one of the guard's closes, which are counted). */
  cut(): void {
    this.raw.destroy();
  }

  close(reason: CloseReason): void {
    this.clearDeadline();
    this.deps.closed.record(reason, { peer: this.peer, ...(this.certificate ? { fingerprint: this.certificate.fingerprint } : {}) });
    this.raw.destroy();
  }

  private arm(delayMs: number, reason: CloseReason): void {
    this.clearDeadline();
    this.deadline = setTimeout(() => this.close(reason), delayMs);
    this.deadline.unref();
  }

  private clearDeadline(): void {
    if (this.deadline !== undefined) clearTimeout(this.deadline);
    this.deadline = undefined;
  }
}

/**
 * The open trusted connections by certificate (the OpenConnections port): a connection is
 * registered when it is found or becomes trusted, and leaves when its socket closes.
 */
export class ConnectionRegistry implements OpenConnections {
  private readonly byFingerprint = new Map<Fingerprint, Set<GuardedConnection>>();

  remember(fingerprint: Fingerprint, connection: GuardedConnection): void {
    let set = this.byFingerprint.get(fingerprint);
    if (set === undefined) this.byFingerprint.set(fingerprint, (set = new Set()));
    set.add(connection);
  }

  forget(fingerprint: Fingerprint, connection: GuardedConnection): void {
    const set = this.byFingerprint.get(fingerprint);
    if (set?.delete(connection) === true && set.size === 0) this.byFingerprint.delete(fingerprint);
  }

  fingerprints(): readonly Fingerprint[] {
    return [...this.byFingerprint.keys()];
  }

  closeAllOf(fingerprint: Fingerprint): number {
    const set = this.byFingerprint.get(fingerprint);
    if (set === undefined) return 0;
    this.byFingerprint.delete(fingerprint);
    for (const connection of set) connection.cut();
    return set.size;
  }
}

const byRawSocket = new WeakMap<Socket, GuardedConnection>();

/** Call for every accepted raw connection. Undefined (and the socket destroyed) when over a cap. */
export function guardConnection(raw: Socket, deps: ConnectionGuardDeps): GuardedConnection | undefined {
  const peer = deps.peerOf(raw);
  const slot = deps.limits.admit(peer);
  if (slot === undefined) {
    deps.closed.record('over-cap', { peer });
    raw.destroy();
    return undefined;
  }
  const connection = new GuardedConnection(peer, raw, slot, deps);
  byRawSocket.set(raw, connection);
  return connection;
}

/** The guarded connection under a TLS socket (node:tls keeps the raw socket as `_parent`). */
export function connectionOfTlsSocket(socket: TLSSocket): GuardedConnection | undefined {
  const raw = (socket as unknown as { _parent?: Socket })._parent;
  return raw === undefined ? undefined : byRawSocket.get(raw);
}
