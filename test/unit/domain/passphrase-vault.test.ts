import { expect } from 'chai';
import { scryptSync } from 'node:crypto';
import { InMemorySettingsStore } from '../../../src/adapters/stores/in-memory-settings-store.js';
import { AuthError } from '../../../src/domain/auth-error.js';
import { PASSPHRASE_KEY, PassphraseVault } from '../../../src/domain/passphrase-vault.js';
import { ScryptPassphraseHasher } from '../../../src/adapters/crypto/scrypt-passphrase-hasher.js';
import { FakePassphraseHasher } from '../../support/fakes/fake-passphrase-hasher.js';
import { RecordingLoggerFake } from '../../support/fakes/recording-logger-fake.js';
import { rejectionOf } from '../../support/rejection-of.js';

const PASSPHRASE = 'correct horse battery staple';

function vaultHarness(): { vault: PassphraseVault; settings: InMemorySettingsStore; hasher: FakePassphraseHasher } {
  const settings = new InMemorySettingsStore();
  const hasher = new FakePassphraseHasher();
  return { vault: new PassphraseVault(settings, hasher), settings, hasher };
}

describe('PassphraseVault', () => {
  it('is not set on a fresh settings store', async () => {
    const { vault } = vaultHarness();

    expect(await vault.isSet()).to.equal(false);
  });

  it('is set after a passphrase is set', async () => {
    const { vault } = vaultHarness();

    await vault.set(PASSPHRASE);

    expect(await vault.isSet()).to.equal(true);
  });

  it('accepts the passphrase that was set', async () => {
    const { vault } = vaultHarness();
    await vault.set(PASSPHRASE);

    await vault.verify(PASSPHRASE);
  });

  it('rejects a wrong passphrase as a mismatch, checking it through the hasher', async () => {
    const { vault, hasher } = vaultHarness();
    await vault.set(PASSPHRASE);

    const error = await rejectionOf(vault.verify('correct horse battery stapler'));

    expect(AuthError.is(error, 'passphrase-mismatch')).to.equal(true);
    expect((error as Error).message).to.equal('Passphrase is not correct. Please try again.');
    expect(hasher.verifyCalls).to.equal(1);
  });

  it('refuses to verify when no passphrase is set', async () => {
    const { vault } = vaultHarness();

    const error = await rejectionOf(vault.verify(PASSPHRASE));

    expect(AuthError.is(error, 'no-passphrase-set')).to.equal(true);
    expect((error as Error).message).to.equal(
      'Passphrase is not set. Please `multipass set local.passphrase` with a trusted client.',
    );
  });

  it('clears the passphrase when set to the empty string', async () => {
    const { vault, settings } = vaultHarness();
    await vault.set(PASSPHRASE);

    await vault.set('');

    expect(await vault.isSet()).to.equal(false);
    expect(await settings.entries()).to.deep.equal([]);
    expect(AuthError.is(await rejectionOf(vault.verify(PASSPHRASE)), 'no-passphrase-set')).to.equal(true);
  });

  it('replaces the old passphrase when a new one is set', async () => {
    const { vault } = vaultHarness();
    await vault.set(PASSPHRASE);

    await vault.set('a different passphrase');

    expect(AuthError.is(await rejectionOf(vault.verify(PASSPHRASE)), 'passphrase-mismatch')).to.equal(true);
    await vault.verify('a different passphrase');
  });

  it('keeps only the hasher output in the settings store, never the passphrase text', async () => {
    const { vault, settings, hasher } = vaultHarness();

    await vault.set(PASSPHRASE);

    const entries = await settings.entries();
    expect(entries.map(([key]) => key)).to.deep.equal([PASSPHRASE_KEY]);
    expect(hasher.hashCalls).to.equal(1);
    for (const [key, value] of entries) {
      expect(key).to.not.include(PASSPHRASE);
      expect(value).to.not.include(PASSPHRASE);
      expect(value).to.match(/^fake-sha256\$/);
    }
  });

  it('refuses a check against a stored hash the hasher does not recognise as setting-corrupt, sending the user to the administrator', async () => {
    const { vault, settings } = vaultHarness();
    await settings.set(PASSPHRASE_KEY, 'fake-sha256$salt0001$truncat');

    const error = await rejectionOf(vault.verify(PASSPHRASE));

    expect(AuthError.is(error, 'setting-corrupt'), String(error)).to.equal(true);
    expect((error as Error).message).to.contain('administrator').and.not.to.contain('not correct');
  });

  it('reports a stored hash the hasher does not recognise at its health check, naming where and the key', async () => {
    const { vault, settings } = vaultHarness();
    expect(await vault.health(), 'nothing set').to.equal(undefined);
    await vault.set(PASSPHRASE);
    expect(await vault.health(), 'a good hash').to.equal(undefined);

    await settings.set(PASSPHRASE_KEY, 'not a hash at all');

    const problem = await vault.health();
    expect(problem).to.be.a('string');
    expect(problem).to.contain(`'${PASSPHRASE_KEY}'`).and.to.contain(`in ${settings.location()}`).and.to.contain('multipass set local.passphrase');
    expect(problem).not.to.contain('not a hash at all');
  });

  it('leaves settings that cannot be read to their store at its health check', async () => {
    const settings = new InMemorySettingsStore();
    settings.get = async () => {
      throw new AuthError('store-unavailable', 'the file is not a SQLite database');
    };
    expect(await new PassphraseVault(settings, new FakePassphraseHasher()).health()).to.equal(undefined);
  });

  it('takes an empty stored value for no passphrase, as Multipass writes a cleared one', async () => {
    const { vault, settings } = vaultHarness();
    await settings.set(PASSPHRASE_KEY, '');

    expect(await vault.isSet()).to.equal(false);
    expect(AuthError.is(await rejectionOf(vault.verify(PASSPHRASE)), 'no-passphrase-set')).to.equal(true);
    expect(await vault.health()).to.equal(undefined);
  });

  describe('with an outdated hash (Multipass\'s unsalted one, adopted)', () => {
    const LEGACY = 'legacy:';

    function legacyHarness() {
      const harness = vaultHarness();
      harness.hasher.legacyPrefix = LEGACY;
      const logger = new RecordingLoggerFake();
      return { ...harness, logger, vault: new PassphraseVault(harness.settings, harness.hasher, logger) };
    }

    it('accepts the right passphrase and replaces the hash with a fresh salted one', async () => {
      const { vault, settings, hasher } = legacyHarness();
      await settings.set(PASSPHRASE_KEY, `${LEGACY}${PASSPHRASE}`);

      await vault.verify(PASSPHRASE);

      const stored = await settings.get(PASSPHRASE_KEY);
      expect(stored).to.match(/^fake-sha256\$/);
      expect(hasher.needsRehash(stored!)).to.equal(false);
      await vault.verify(PASSPHRASE);
      expect(hasher.hashCalls, 'once: the fresh hash needs no further rehash').to.equal(1);
    });

    it('leaves it as it is after a wrong passphrase', async () => {
      const { vault, settings, hasher } = legacyHarness();
      await settings.set(PASSPHRASE_KEY, `${LEGACY}${PASSPHRASE}`);

      expect(AuthError.is(await rejectionOf(vault.verify('wrong')), 'passphrase-mismatch')).to.equal(true);

      expect(await settings.get(PASSPHRASE_KEY)).to.equal(`${LEGACY}${PASSPHRASE}`);
      expect(hasher.hashCalls).to.equal(0);
    });

    it('does not overwrite a passphrase set meanwhile with the rehash of the old one', async () => {
      const { vault, settings } = legacyHarness();
      await settings.set(PASSPHRASE_KEY, `${LEGACY}${PASSPHRASE}`);
      const get = settings.get.bind(settings);
      let reads = 0;
      settings.get = async (key) => {
        reads += 1;
        if (reads === 2) await settings.set(PASSPHRASE_KEY, 'fake-sha256$salt9999$' + '0'.repeat(64));
        return get(key);
      };

      await vault.verify(PASSPHRASE);

      expect(await get(PASSPHRASE_KEY)).to.equal('fake-sha256$salt9999$' + '0'.repeat(64));
    });

    it('still accepts the passphrase when the new hash cannot be written, and logs why without any hash', async () => {
      const { vault, settings, logger } = legacyHarness();
      await settings.set(PASSPHRASE_KEY, `${LEGACY}${PASSPHRASE}`);
      settings.set = async () => {
        throw new AuthError('store-unavailable', "Cannot write the settings file 'memory': read-only file system");
      };

      await vault.verify(PASSPHRASE);

      const warnings = logger.lines.filter((line) => line.level === 'warn');
      expect(warnings).to.have.length(1);
      expect(JSON.stringify(warnings)).to.contain('read-only file system').and.not.to.contain(PASSPHRASE).and.not.to.contain('fake-sha256');
    });

    it("with the scrypt hasher: Multipass's own hash verifies and becomes a salted scrypt hash", async () => {
      const settings = new InMemorySettingsStore();
      const hasher = new ScryptPassphraseHasher({ N: 1024, r: 8, p: 1 });
      const multipass = scryptSync(PASSPHRASE, Buffer.alloc(0), 64, { N: 2 ** 14, r: 8, p: 1 }).toString('hex');
      await settings.set(PASSPHRASE_KEY, multipass);
      const vault = new PassphraseVault(settings, hasher);

      expect(AuthError.is(await rejectionOf(vault.verify('wrong')), 'passphrase-mismatch')).to.equal(true);
      await vault.verify(PASSPHRASE);

      const stored = (await settings.get(PASSPHRASE_KEY))!;
      expect(stored).to.match(/^scrypt\$N=1024,r=8,p=1\$/);
      expect(await hasher.verify(PASSPHRASE, stored)).to.equal(true);
    });
  });
});
