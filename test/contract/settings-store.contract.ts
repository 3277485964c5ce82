import { expect } from 'chai';
import type { SettingsStore } from '../../src/ports/settings-store.js';

/** One case's view of an adapter: fresh backing data per harness. */
export interface SettingsStoreHarness {
  /** A new, loaded store over fresh backing data. */
  create(): Promise<SettingsStore>;
  /** A new, loaded instance over the same backing data as `create`, as after a restart. */
  reopen(): Promise<SettingsStore>;
  /** Closes every instance and removes the backing data. */
  dispose(): Promise<void>;
}

const PASSPHRASE_KEY = 'local.passphrase';

/** Values a settings file must not mangle: hashes hold `$` and base64, admins hold anything. */
const AWKWARD_VALUES: ReadonlyArray<readonly [string, string]> = [
  ['a scrypt hash', 'scrypt$ln=15,r=8,p=1$c2FsdCtzYWx0Lz0=$aGFzaCtoYXNoL2hhc2g9PQ=='],
  ['an equals sign', 'a=b'],
  ['a semicolon', 'a;b'],
  ['a hash sign', 'a#b'],
  ['a leading semicolon', ';comment-like'],
  ['a leading hash sign', '#comment-like'],
  ['double quotes', '"quoted"'],
  ['single quotes', "'quoted'"],
  ['an inner quote', 'a"b'],
  ['a newline', 'line one\nline two'],
  ['a CRLF', 'line one\r\nline two'],
  ['unicode', 'ünïcødé ✓ 🔑'],
  ['a dollar sign', '$HOME and ${PATH}'],
  ['backslashes', 'C:\\path\\to\\;file#\\'],
  ['a bracket at the start', '[section]'],
  ['surrounding spaces', '  padded  '],
  ['a tab', 'a\tb'],
  ['the word true', 'true'],
  ['the word false', 'false'],
  ['the word null', 'null'],
  ['an empty string', ''],
];

/**
 * What every SettingsStore must do (src/ports/settings-store.ts). Run once per adapter, each
 * case on a fresh harness.
 */
export function settingsStoreContract(name: string, makeHarness: () => Promise<SettingsStoreHarness>): void {
  describe(`${name} (SettingsStore contract)`, () => {
    let harness: SettingsStoreHarness;

    beforeEach(async () => {
      harness = await makeHarness();
    });

    afterEach(async () => {
      await harness.dispose();
    });

    it('describes where it keeps the settings, for messages to the admin', async () => {
      const store = await harness.create();
      expect(store.location()).to.be.a('string').and.not.equal('');
    });

    it('answers undefined for a key that was never set', async () => {
      const store = await harness.create();
      expect(await store.get(PASSPHRASE_KEY)).to.equal(undefined);
    });

    it('returns the value that was set', async () => {
      const store = await harness.create();
      await store.set(PASSPHRASE_KEY, 'hash-1');
      expect(await store.get(PASSPHRASE_KEY)).to.equal('hash-1');
    });

    it('replaces a value that is set again', async () => {
      const store = await harness.create();
      await store.set(PASSPHRASE_KEY, 'hash-1');
      await store.set(PASSPHRASE_KEY, 'hash-2');
      expect(await store.get(PASSPHRASE_KEY)).to.equal('hash-2');
      expect(await store.entries()).to.deep.equal([[PASSPHRASE_KEY, 'hash-2']]);
    });

    it('forgets a deleted key and leaves the others alone', async () => {
      const store = await harness.create();
      await store.set(PASSPHRASE_KEY, 'hash-1');
      await store.set('local.other', 'kept');
      await store.delete(PASSPHRASE_KEY);
      expect(await store.get(PASSPHRASE_KEY)).to.equal(undefined);
      expect(await store.get('local.other')).to.equal('kept');
    });

    it('treats deleting an absent key as a no-op', async () => {
      const store = await harness.create();
      await store.set('local.other', 'kept');
      await store.delete(PASSPHRASE_KEY);
      expect(await store.entries()).to.deep.equal([['local.other', 'kept']]);
    });

    it('lists every key and value', async () => {
      const store = await harness.create();
      await store.set(PASSPHRASE_KEY, 'hash');
      await store.set('client.gui.autostart', 'false');
      await store.set('toplevel', 'yes');
      const entries = [...(await store.entries())].sort(([x], [y]) => x.localeCompare(y));
      expect(entries).to.deep.equal([
        ['client.gui.autostart', 'false'],
        [PASSPHRASE_KEY, 'hash'],
        ['toplevel', 'yes'],
      ]);
    });

    it('keeps its values across a reopen', async () => {
      const store = await harness.create();
      await store.set(PASSPHRASE_KEY, 'hash');
      await store.set('toplevel', 'yes');
      const reopened = await harness.reopen();
      expect(await reopened.get(PASSPHRASE_KEY)).to.equal('hash');
      expect(await reopened.get('toplevel')).to.equal('yes');
    });

    it("sees another instance's set and delete without reloading", async () => {
      const first = await harness.create();
      await first.set('local.other', 'kept');
      expect(await first.get(PASSPHRASE_KEY)).to.equal(undefined);
      const second = await harness.reopen();
      await second.set(PASSPHRASE_KEY, 'from-second');
      expect(await first.get(PASSPHRASE_KEY)).to.equal('from-second');
      await second.delete('local.other');
      expect(await first.get('local.other')).to.equal(undefined);
    });

    it("keeps another instance's keys when setting its own", async () => {
      const first = await harness.create();
      const second = await harness.reopen();
      await Promise.all([first.set('local.a', '1'), second.set('local.b', '2'), first.set('c', '3'), second.set('d.e.f', '4')]);
      const reopened = await harness.reopen();
      const entries = [...(await reopened.entries())].sort(([x], [y]) => x.localeCompare(y));
      expect(entries).to.deep.equal([
        ['c', '3'],
        ['d.e.f', '4'],
        ['local.a', '1'],
        ['local.b', '2'],
      ]);
    });

    it('round-trips keys with several dots', async () => {
      const store = await harness.create();
      await store.set('a.b.c.d', 'deep');
      await store.set('a.b', 'shallow');
      await store.set('local.with-dash_and_underscore', 'x');
      const reopened = await harness.reopen();
      expect(await reopened.get('a.b.c.d')).to.equal('deep');
      expect(await reopened.get('a.b')).to.equal('shallow');
      expect(await reopened.get('local.with-dash_and_underscore')).to.equal('x');
    });

    for (const [what, value] of AWKWARD_VALUES) {
      it(`round-trips a value with ${what} exactly`, async () => {
        const store = await harness.create();
        await store.set(PASSPHRASE_KEY, value);
        await store.set('local.neighbour', 'n');
        expect(await store.get(PASSPHRASE_KEY)).to.equal(value);
        const reopened = await harness.reopen();
        expect(await reopened.get(PASSPHRASE_KEY)).to.equal(value);
        expect(await reopened.get('local.neighbour')).to.equal('n');
      });
    }
  });
}
