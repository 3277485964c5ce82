import { expect } from 'chai';
import { InMemorySettingsStore } from '../../../src/adapters/stores/in-memory-settings-store.js';
import { AuthError } from '../../../src/domain/auth-error.js';
import { DaemonSettings, PASSPHRASE_SET_MARKER } from '../../../src/domain/daemon-settings.js';
import { PassphraseVault } from '../../../src/domain/passphrase-vault.js';
import { FakePassphraseHasher } from '../../support/fakes/fake-passphrase-hasher.js';
import { rejectionOf } from '../../support/rejection-of.js';

function settingsHarness(): { daemonSettings: DaemonSettings; store: InMemorySettingsStore } {
  const store = new InMemorySettingsStore();
  const vault = new PassphraseVault(store, new FakePassphraseHasher());
  return { daemonSettings: new DaemonSettings(vault), store };
}

describe('DaemonSettings', () => {
  it('offers local.passphrase as its only key', () => {
    const { daemonSettings } = settingsHarness();

    expect(daemonSettings.keys()).to.deep.equal(['local.passphrase']);
  });

  it('answers an empty value for local.passphrase while none is set (Multipass prints it as false)', async () => {
    const { daemonSettings } = settingsHarness();

    expect(await daemonSettings.get('local.passphrase')).to.equal('');
  });

  it('answers a fixed non-empty marker for local.passphrase once one is set, never the hash', async () => {
    const { daemonSettings, store } = settingsHarness();

    await daemonSettings.set('local.passphrase', 'correct horse battery staple');
    const answer = await daemonSettings.get('local.passphrase');

    expect(answer).to.equal(PASSPHRASE_SET_MARKER);
    expect(answer).to.not.equal('');
    const stored = (await store.entries()).map(([, value]) => value);
    expect(stored).to.have.length(1);
    expect(stored).to.not.include(answer);
  });

  it('answers an empty value again after the passphrase is set to the empty string', async () => {
    const { daemonSettings } = settingsHarness();
    await daemonSettings.set('local.passphrase', 'correct horse battery staple');

    await daemonSettings.set('local.passphrase', '');

    expect(await daemonSettings.get('local.passphrase')).to.equal('');
  });

  it('refuses to get an unknown key with the exact message', async () => {
    const { daemonSettings } = settingsHarness();

    const error = await rejectionOf(daemonSettings.get('foo'));

    expect(AuthError.is(error, 'invalid-setting')).to.equal(true);
    expect((error as Error).message).to.equal("Unrecognized settings key: 'foo'");
  });

  it('refuses to set an unknown key and stores nothing', async () => {
    const { daemonSettings, store } = settingsHarness();

    const error = await rejectionOf(daemonSettings.set('foo', 'bar'));

    expect(AuthError.is(error, 'invalid-setting')).to.equal(true);
    expect((error as Error).message).to.equal("Unrecognized settings key: 'foo'");
    expect(await store.entries()).to.deep.equal([]);
  });
});
