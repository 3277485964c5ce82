import { expect } from 'chai';
import { trustRecordFromWire, trustRecordToWire } from '../../../src/adapters/rpc/trust-record-wire.js';
import { ConnectionRegistry, type GuardedConnection } from '../../../src/adapters/transports/connection-guard.js';
import type { TrustRecord } from '../../../src/domain/trust-record.js';
import { randomFingerprint } from '../../support/fakes/client-certificates.js';

class FakeConnection {
  cuts = 0;
  cut(): void {
    this.cuts += 1;
  }
}

describe('ConnectionRegistry', () => {
  const [a, b] = [randomFingerprint(), randomFingerprint()];
  const connection = () => new FakeConnection() as FakeConnection & GuardedConnection;

  it("ends every connection of one certificate, once, and forgets them; the others stay", () => {
    const registry = new ConnectionRegistry();
    const [a1, a2, b1] = [connection(), connection(), connection()];
    registry.remember(a, a1);
    registry.remember(a, a2);
    registry.remember(b, b1);
    expect(registry.fingerprints()).to.have.members([a, b]);
    expect(registry.closeAllOf(a)).to.equal(2);
    expect([a1.cuts, a2.cuts, b1.cuts]).to.deep.equal([1, 1, 0]);
    expect(registry.closeAllOf(a)).to.equal(0);
    expect(registry.fingerprints()).to.deep.equal([b]);
  });

  it('forgets a closed connection, and the certificate with its last one', () => {
    const registry = new ConnectionRegistry();
    const b1 = connection();
    registry.remember(b, b1);
    registry.forget(b, b1);
    expect(registry.fingerprints()).to.deep.equal([]);
    expect(registry.closeAllOf(b)).to.equal(0);
    expect(b1.cuts).to.equal(0);
  });
});

describe('trust records on the admin channel', () => {
  it('cross the wire unchanged, absent fields included', () => {
    const full: TrustRecord = {
      fingerprint: randomFingerprint(),
      pem: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n',
      provenance: { via: 'passphrase', at: new Date('2026-01-02T03:04:05.000Z'), uid: 1000, user: 'alice', label: 'laptop' },
      lastSeen: new Date('2026-02-03T04:05:06.000Z'),
    };
    const bare: TrustRecord = { fingerprint: randomFingerprint(), pem: full.pem, provenance: { via: 'file', at: new Date('2026-01-01T00:00:00.000Z') } };
    for (const record of [full, bare, { ...bare, provenance: { ...bare.provenance, uid: 0 } }]) {
      expect(trustRecordFromWire(trustRecordToWire(record))).to.deep.equal(record);
    }
  });
});
