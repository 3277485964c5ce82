import { expect } from 'chai';
import { ConnectionLimits } from '../../../src/domain/connection-limits.js';
import type { Peer } from '../../../src/domain/peer.js';

const uid = (n: number): Peer => ({ kind: 'unix', uid: n, gid: n, pid: 1 });

describe('ConnectionLimits', () => {
  it('refuses a peer over its own cap while other peers still get in', () => {
    const limits = new ConnectionLimits({ maxUntrustedPerPeer: 2, maxUntrustedTotal: 10 });

    expect(limits.admit(uid(1))).to.not.equal(undefined);
    expect(limits.admit(uid(1))).to.not.equal(undefined);
    expect(limits.admit(uid(1)), 'third from the same peer').to.equal(undefined);
    expect(limits.admit(uid(2)), 'another peer').to.not.equal(undefined);
    expect(limits.held(uid(1))).to.equal(2);
    expect(limits.held()).to.equal(3);
  });

  it('refuses everyone once the total cap is reached', () => {
    const limits = new ConnectionLimits({ maxUntrustedPerPeer: 5, maxUntrustedTotal: 3 });
    for (const n of [1, 2, 3]) expect(limits.admit(uid(n))).to.not.equal(undefined);

    expect(limits.admit(uid(4))).to.equal(undefined);
  });

  it('gives a slot back once, however often it is released', () => {
    const limits = new ConnectionLimits({ maxUntrustedPerPeer: 1, maxUntrustedTotal: 1 });
    const slot = limits.admit(uid(1));
    slot?.release();
    slot?.release();

    expect(limits.held()).to.equal(0);
    expect(limits.admit(uid(1))).to.not.equal(undefined);
    expect(limits.admit(uid(2)), 'a double release must not free a second place').to.equal(undefined);
  });

  it('counts peers by what the OS says: one uid is one peer, one TCP network is one peer', () => {
    const limits = new ConnectionLimits({ maxUntrustedPerPeer: 1, maxUntrustedTotal: 10 });
    expect(limits.admit({ kind: 'tcp', address: '127.0.0.0/8' })).to.not.equal(undefined);
    expect(limits.admit({ kind: 'tcp', address: '127.0.0.0/8' })).to.equal(undefined);
    expect(limits.admit({ kind: 'unix', uid: 1, gid: 1, pid: 10 })).to.not.equal(undefined);
    expect(limits.admit({ kind: 'unix', uid: 1, gid: 2, pid: 11 }), 'same uid, other process').to.equal(undefined);
  });
});
