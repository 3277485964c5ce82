import { expect } from 'chai';
import { InMemoryAuditLog } from '../../../src/adapters/audit/in-memory-audit-log.js';
import { InMemoryTokenStore } from '../../../src/adapters/stores/in-memory-token-store.js';
import { AuditTrail } from '../../../src/domain/audit-trail.js';
import type { Fingerprint } from '../../../src/domain/fingerprint.js';
import {
  DEFAULT_TOKEN_TTL_MS,
  EnrolmentTokens,
  MAX_TOKEN_TTL_MS,
  TokenTtlError,
  tokenRefusalOf,
  WRONG_SECRET_MESSAGE,
} from '../../../src/domain/enrolment-tokens.js';
import { PassphraseVault } from '../../../src/domain/passphrase-vault.js';
import { InMemorySettingsStore } from '../../../src/adapters/stores/in-memory-settings-store.js';
import { expectAuthError } from '../../support/expect-auth-error.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakePassphraseHasher } from '../../support/fakes/fake-passphrase-hasher.js';
import { FakeScheduler } from '../../support/fakes/fake-scheduler.js';
import { FakeTokenSecrets } from '../../support/fakes/fake-token-secrets.js';
import { NullLogger } from '../../support/fakes/null-logger.js';

const ALICE = 'a'.repeat(64) as Fingerprint;
const BOB = 'b'.repeat(64) as Fingerprint;
const MINUTE = 60_000;
const ADMIN = { uid: 0, user: 'root' };

function harness() {
  const clock = new FakeClock();
  const store = new InMemoryTokenStore();
  const log = new InMemoryAuditLog();
  const audit = new AuditTrail(log, clock, new FakeScheduler(clock), new NullLogger());
  const tokens = new EnrolmentTokens(store, new FakeTokenSecrets(), clock, audit);
  return { clock, store, log, tokens };
}


describe('EnrolmentTokens', () => {
  it('issues a token with the mpt- prefix that expires after 15 minutes by default, and stores only its hash', async () => {
    const { tokens, store, clock } = harness();
    const issued = await tokens.issue({}, ADMIN);
    expect(issued.text).to.match(/^mpt-[a-z2-7]{32}$/);
    expect(issued.view).to.deep.include({ id: 'id1', state: 'active', createdAt: clock.now() });
    expect(issued.view.expiresAt.getTime() - clock.now().getTime()).to.equal(DEFAULT_TOKEN_TTL_MS);
    const [stored] = await store.list();
    expect(JSON.stringify(stored)).not.to.contain(issued.text.slice(4));
    expect(stored?.hash).to.match(/^[0-9a-f]{64}$/);
    expect(issued.view, 'the view carries no hash').not.to.have.property('hash');
  });

  it('refuses a ttl shorter than a second or longer than 7 days', async () => {
    const { tokens, store } = harness();
    for (const ttlMs of [999, MAX_TOKEN_TTL_MS + 1, Number.NaN]) {
      let error: unknown;
      try {
        await tokens.issue({ ttlMs });
      } catch (caught) {
        error = caught;
      }
      expect(error, String(ttlMs)).to.be.instanceOf(TokenTtlError);
    }
    expect(await tokens.issue({ ttlMs: MAX_TOKEN_TTL_MS })).to.have.property('text');
    expect(await store.list()).to.have.length(1);
  });

  it('redeems a token once, for the first client, keeping its label', async () => {
    const { tokens } = harness();
    const { text } = await tokens.issue({ label: "  bob's\nlaptop " });
    const used = await tokens.redeem(text, ALICE);
    expect(used).to.deep.include({ label: "bob's laptop", usedBy: ALICE });
    const again = await expectAuthError(tokens.redeem(text, BOB), 'passphrase-mismatch');
    expect(again.code).to.equal('passphrase-mismatch');
    expect(tokenRefusalOf(again)).to.deep.equal({ kind: 'token-refusal', reason: 'token-used', tokenId: 'id1' });
    expect((await tokens.list())[0]).to.deep.include({ state: 'used', usedBy: ALICE });
  });

  it('lets exactly one of many simultaneous uses of a token win', async () => {
    const { tokens } = harness();
    const { text } = await tokens.issue({});
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => tokens.redeem(text, ALICE)));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
  });

  it('refuses an expired token at its expiry, with the wrong-passphrase text', async () => {
    const { tokens, clock } = harness();
    const { text } = await tokens.issue({ ttlMs: 5 * MINUTE });
    clock.advance(5 * MINUTE);
    const error = await expectAuthError(tokens.redeem(text, ALICE), 'passphrase-mismatch');
    expect(error.message).to.equal(WRONG_SECRET_MESSAGE);
    expect(tokenRefusalOf(error)?.reason).to.equal('token-expired');
  });

  it('says nothing more about an unknown token than about a wrong passphrase', async () => {
    const { tokens } = harness();
    const error = await expectAuthError(tokens.redeem(`mpt-${'z'.repeat(32)}`, ALICE), 'passphrase-mismatch');
    const vault = new PassphraseVault(new InMemorySettingsStore(), new FakePassphraseHasher());
    await vault.set('right');
    const wrongPassphrase = await expectAuthError(vault.verify('wrong'), 'passphrase-mismatch');
    expect(error.code).to.equal(wrongPassphrase.code);
    expect(error.message).to.equal(wrongPassphrase.message);
    expect(tokenRefusalOf(error)).to.deep.equal({ kind: 'token-refusal', reason: 'token-unknown' });
  });

  it('accepts a token pasted with surrounding space or in capitals', async () => {
    const { tokens } = harness();
    const { text } = await tokens.issue({});
    expect(EnrolmentTokens.looksLikeToken(` ${text.toUpperCase()}\n`)).to.equal(true);
    expect(await tokens.redeem(` ${text.toUpperCase()}\n`, ALICE)).to.have.property('usedBy', ALICE);
  });

  it('tells a token from a passphrase by its exact shape', () => {
    expect(EnrolmentTokens.looksLikeToken(`mpt-${'a'.repeat(32)}`)).to.equal(true);
    for (const text of ['mpt-', `mpt-${'a'.repeat(31)}`, `mpt-${'a'.repeat(33)}`, `mpt-${'1'.repeat(32)}`, 'hunter2', `xpt-${'a'.repeat(32)}`]) {
      expect(EnrolmentTokens.looksLikeToken(text), text).to.equal(false);
    }
  });

  it('revokes an active token, which can then not be used; revoking again, or a used one, changes nothing', async () => {
    const { tokens, log } = harness();
    const first = await tokens.issue({ label: 'carol' });
    const second = await tokens.issue({});
    const revoked = await tokens.revoke(first.view.id, ADMIN);
    expect(revoked).to.deep.include({ revoked: true });
    expect(revoked?.view.state).to.equal('revoked');
    expect(tokenRefusalOf(await expectAuthError(tokens.redeem(first.text, ALICE), 'passphrase-mismatch'))?.reason).to.equal('token-revoked');
    expect(await tokens.revoke(first.view.id, ADMIN)).to.deep.include({ revoked: false });
    await tokens.redeem(second.text, BOB);
    const late = await tokens.revoke(second.view.id, ADMIN);
    expect(late).to.deep.include({ revoked: false });
    expect(late?.view).to.deep.include({ state: 'used', usedBy: BOB });
    expect(await tokens.revoke('nope', ADMIN)).to.equal(undefined);
    expect(log.events.filter((event) => event.event === 'token.revoke')).to.have.length(1);
  });

  it('audits issuing and revoking with the admin, the id, the label and the expiry, never the token', async () => {
    const { tokens, log, clock } = harness();
    const { text, view } = await tokens.issue({ label: 'dave', ttlMs: 2 * MINUTE }, ADMIN);
    await tokens.revoke(view.id, ADMIN);
    expect(log.events).to.deep.equal([
      { time: clock.now(), event: 'token.issue', outcome: 'ok', tokenId: 'id1', label: 'dave', expires: new Date(clock.now().getTime() + 2 * MINUTE), peer: ADMIN },
      { time: clock.now(), event: 'token.revoke', outcome: 'ok', tokenId: 'id1', label: 'dave', peer: ADMIN },
    ]);
    expect(JSON.stringify(log.events)).not.to.contain(text.slice(4));
  });

  it('still issues a token when the audit log cannot be written, saying why', async () => {
    const { tokens, log } = harness();
    log.failure = 'disk full';
    const issued = await tokens.issue({});
    expect(issued.auditProblem).to.contain('disk full');
    expect(await tokens.list()).to.have.length(1);
  });

  it('forgets tokens a week after they were used, revoked or expired, when issuing another', async () => {
    const { tokens, clock } = harness();
    const used = await tokens.issue({});
    await tokens.redeem(used.text, ALICE);
    const expiring = await tokens.issue({ ttlMs: MINUTE });
    clock.advance(7 * 24 * 60 * MINUTE + 30_000);
    await tokens.issue({});
    expect((await tokens.list()).map((view) => view.id), 'used a week ago goes; expired less than a week ago stays').to.deep.equal([
      expiring.view.id,
      'id3',
    ]);
    clock.advance(60_000);
    await tokens.issue({});
    expect((await tokens.list()).map((view) => view.id)).to.deep.equal(['id3', 'id4']);
  });
});
