import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { EnrolmentToken } from '../../src/domain/enrolment-token.js';
import type { Fingerprint } from '../../src/domain/fingerprint.js';
import type { TokenStore } from '../../src/ports/token-store.js';

/** One case's view of an adapter: fresh backing data per harness. */
export interface TokenStoreHarness {
  /** A new, loaded store over fresh backing data. */
  create(): Promise<TokenStore>;
  /** A new, loaded instance over the same backing data, as another process or a restart would have. */
  reopen(): Promise<TokenStore>;
  /** Closes every instance and removes the backing data. */
  dispose(): Promise<void>;
}

const T0 = new Date('2026-02-01T10:00:00.000Z');
const MINUTE = 60_000;
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);
const ALICE = 'a'.repeat(64) as Fingerprint;
const BOB = 'b'.repeat(64) as Fingerprint;
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

function token(id: string, overrides: Partial<EnrolmentToken> = {}): EnrolmentToken {
  return { id, hash: hashOf(`secret-${id}`), createdAt: T0, expiresAt: at(15), ...overrides };
}

/**
 * What every TokenStore must do (src/ports/token-store.ts). Run once per adapter, each case
 * on a fresh harness.
 */
export function tokenStoreContract(name: string, makeHarness: () => Promise<TokenStoreHarness>): void {
  describe(`${name} (TokenStore contract)`, () => {
    let harness: TokenStoreHarness;

    beforeEach(async () => {
      harness = await makeHarness();
    });

    afterEach(async () => {
      await harness.dispose();
    });

    it('is empty after creation', async () => {
      expect(await (await harness.create()).list()).to.deep.equal([]);
    });

    it('keeps added tokens, every field, in order, across a reopen', async () => {
      const store = await harness.create();
      const first = token('id1', { label: "bob's laptop" });
      const second = token('id2', { createdAt: at(1), expiresAt: at(60 * 24) });
      await store.add(first);
      await store.add(second);
      expect(await store.list()).to.deep.equal([first, second]);
      expect(await (await harness.reopen()).list()).to.deep.equal([first, second]);
    });

    it('redeems an active token once: marked used by the client, at that time, across a reopen', async () => {
      const store = await harness.create();
      const kept = token('id1', { label: 'x' });
      await store.add(kept);
      const first = await store.redeem(kept.hash, at(5), ALICE);
      expect(first).to.deep.equal({ token: { ...kept, usedAt: at(5), usedBy: ALICE }, redeemed: true });
      const second = await (await harness.reopen()).redeem(kept.hash, at(6), BOB);
      expect(second).to.deep.equal({ token: { ...kept, usedAt: at(5), usedBy: ALICE }, redeemed: false });
      expect(await (await harness.reopen()).list()).to.deep.equal([{ ...kept, usedAt: at(5), usedBy: ALICE }]);
    });

    it('answers undefined for a hash no token has', async () => {
      const store = await harness.create();
      await store.add(token('id1'));
      expect(await store.redeem(hashOf('other'), at(1), ALICE)).to.equal(undefined);
    });

    it('does not redeem a token at or after its expiry, leaving it as it was', async () => {
      const store = await harness.create();
      const kept = token('id1');
      await store.add(kept);
      expect(await store.redeem(kept.hash, at(15), ALICE)).to.deep.equal({ token: kept, redeemed: false });
      expect(await store.redeem(kept.hash, at(16), ALICE)).to.deep.equal({ token: kept, redeemed: false });
      expect(await store.redeem(kept.hash, new Date(at(15).getTime() - 1), ALICE)).to.have.property('redeemed', true);
    });

    it('revokes an active token, which then cannot be redeemed; revoking again, or a used or expired one, changes nothing', async () => {
      const store = await harness.create();
      await store.add(token('id1'));
      await store.add(token('id2'));
      await store.add(token('id3'));
      expect(await store.revoke('id1', at(1))).to.deep.equal({ ...token('id1'), revokedAt: at(1) });
      expect(await store.revoke('id1', at(2))).to.deep.equal({ ...token('id1'), revokedAt: at(1) });
      expect(await store.redeem(token('id1').hash, at(3), ALICE)).to.deep.equal({ token: { ...token('id1'), revokedAt: at(1) }, redeemed: false });
      await store.redeem(token('id2').hash, at(3), ALICE);
      expect(await store.revoke('id2', at(4))).to.deep.equal({ ...token('id2'), usedAt: at(3), usedBy: ALICE });
      expect(await store.revoke('id3', at(15))).to.deep.equal(token('id3'));
      expect(await store.revoke('nope', at(4))).to.equal(undefined);
      expect(await (await harness.reopen()).list()).to.deep.equal([
        { ...token('id1'), revokedAt: at(1) },
        { ...token('id2'), usedAt: at(3), usedBy: ALICE },
        token('id3'),
      ]);
    });

    it('lets exactly one of many concurrent redemptions of a token win, across instances', async () => {
      const first = await harness.create();
      const second = await harness.reopen();
      const kept = token('id1');
      await first.add(kept);
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? first : second).redeem(kept.hash, at(1), i % 2 === 0 ? ALICE : BOB)),
      );
      expect(outcomes.filter((outcome) => outcome?.redeemed === true)).to.have.length(1);
      const winner = outcomes.find((outcome) => outcome?.redeemed === true)?.token.usedBy;
      expect((await (await harness.reopen()).list())[0]?.usedBy).to.equal(winner);
    });

    it('keeps tokens another instance added, never writing over them', async () => {
      const first = await harness.create();
      const second = await harness.reopen();
      await Promise.all([first.add(token('id1')), second.add(token('id2')), first.add(token('id3')), second.add(token('id4'))]);
      const ids = (await (await harness.reopen()).list()).map((kept) => kept.id).sort();
      expect(ids).to.deep.equal(['id1', 'id2', 'id3', 'id4']);
    });

    it('prunes tokens that ended (used, revoked, expired) before the cutoff, and keeps the rest', async () => {
      const store = await harness.create();
      await store.add(token('used', { expiresAt: at(100) }));
      await store.add(token('revoked', { expiresAt: at(100) }));
      await store.add(token('expired', { expiresAt: at(10) }));
      await store.add(token('late', { expiresAt: at(30) }));
      await store.add(token('active', { expiresAt: at(100) }));
      await store.redeem(token('used').hash, at(5), ALICE);
      await store.revoke('revoked', at(6));
      expect(await store.prune(at(20))).to.equal(3);
      expect((await (await harness.reopen()).list()).map((kept) => kept.id)).to.deep.equal(['late', 'active']);
      expect(await store.prune(at(20))).to.equal(0);
    });
  });
}
