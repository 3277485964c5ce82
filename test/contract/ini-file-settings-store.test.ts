import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { IniFileSettingsStore } from '../../src/adapters/stores/ini-file-settings-store.js';
import { settingsFilePath } from '../../src/app/paths.js';
import { expectAuthError } from '../support/expect-auth-error.js';
import { storeHarness, type StoreHarness } from '../support/store-harness.js';
import { settingsStoreContract } from './settings-store.contract.js';

const makeIniFileHarness = storeHarness('mpa-ini-', settingsFilePath, (path, logger) => new IniFileSettingsStore(path, logger));
type IniFileHarness = StoreHarness<IniFileSettingsStore>;

settingsStoreContract('IniFileSettingsStore', makeIniFileHarness);

const HASH = 'scrypt$ln=15,r=8,p=1$c2FsdA==$aGFzaA==';
const modeOf = (path: string): number => statSync(path).mode & 0o777;
const isRoot = process.getuid?.() === 0;


describe('IniFileSettingsStore specifics', () => {
  let harness: IniFileHarness;

  beforeEach(async () => {
    harness = await makeIniFileHarness();
  });

  afterEach(async () => {
    await harness.dispose();
  });

  const writeByHand = (text: string | Buffer): void => {
    mkdirSync(dirname(harness.filePath), { recursive: true });
    writeFileSync(harness.filePath, text);
  };

  it('gives its file as its location', async () => {
    expect((await harness.create()).location()).to.equal(harness.filePath);
  });

  it('creates the file with mode 0600 in a directory with mode 0700', async () => {
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    expect(modeOf(harness.filePath)).to.equal(0o600);
    expect(modeOf(dirname(harness.filePath))).to.equal(0o700);
  });

  it('keeps local.passphrase as passphrase= in a [local] section, as Multipass does', async () => {
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    await store.set('toplevel', 'x');
    const text = readFileSync(harness.filePath, 'utf8');
    expect(text).to.match(/^\[local\]$/m);
    expect(text).to.match(/^passphrase=/m);
    expect(text.indexOf('toplevel=x')).to.be.lessThan(text.indexOf('[local]'));
  });

  it('reads a file written by hand in QSettings style', async () => {
    writeByHand('[local]\r\npassphrase = abc$def\r\n; a comment\r\n\r\n[client]\r\nprimary-name=primary\r\n');
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal('abc$def');
    expect(await store.get('client.primary-name')).to.equal('primary');
    expect(harness.logger.lines.filter((line) => line.level === 'warn')).to.deep.equal([]);
  });

  it('sees a hand edit of the file on the next get', async () => {
    const store = await harness.create();
    await store.set('local.passphrase', 'old');
    writeByHand('[local]\npassphrase=edited by hand, longer\n');
    expect(await store.get('local.passphrase')).to.equal('edited by hand, longer');
  });

  it('reads what it can of a file with lines it cannot interpret, warns with file and line, and refuses to rewrite it', async () => {
    const original = '[local]\npassphrase=kept\nthis line has no equals sign\nlist[]=1\n';
    writeByHand(original);
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal('kept');
    const warnings = harness.logger.lines.filter((line) => line.level === 'warn');
    expect(warnings.map((line) => line.fields?.line)).to.deep.equal([3, 4]);
    expect(warnings[0]?.message).to.contain(`${harness.filePath}:3`);
    const error = await expectAuthError(store.set('local.passphrase', 'new'), 'store-unavailable');
    expect(error.message).to.contain(harness.filePath).and.to.contain('line 3');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal(original);
  });

  it('treats a file that is not UTF-8 as one it cannot interpret', async () => {
    const original = Buffer.concat([Buffer.from('[local]\npassphrase=a\nother='), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
    writeByHand(original);
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal('a');
    await expectAuthError(store.delete('local.passphrase'), 'store-unavailable');
    expect(readFileSync(harness.filePath).equals(original)).to.equal(true);
  });

  it('does not warn again for the same unreadable line on every get', async () => {
    writeByHand('[local]\npassphrase=kept\nbroken\n');
    const store = await harness.create();
    await store.get('local.passphrase');
    await store.get('local.passphrase');
    expect(harness.logger.lines.filter((line) => line.level === 'warn')).to.have.length(1);
  });

  it('rejects keys the file cannot represent with invalid-setting and leaves the file alone', async () => {
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    const before = readFileSync(harness.filePath, 'utf8');
    for (const key of ['local.a=b', 'local.list[]', 'local', 'local.', '.local']) {
      await expectAuthError(store.set(key, 'v'), 'invalid-setting');
    }
    expect(readFileSync(harness.filePath, 'utf8')).to.equal(before);
    expect(await store.entries()).to.deep.equal([['local.passphrase', HASH]]);
  });

  it('is not corrupted by the temp file of a write that crashed', async () => {
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    const stray = join(dirname(harness.filePath), '.multipassd.conf.99999.0123456789ab.tmp');
    writeFileSync(stray, '[local]\npass');
    const reopened = await harness.reopen();
    expect(await reopened.get('local.passphrase')).to.equal(HASH);
    await reopened.set('local.other', 'x');
    expect(await (await harness.reopen()).entries()).to.deep.equal([
      ['local.passphrase', HASH],
      ['local.other', 'x'],
    ]);
    expect(readFileSync(stray, 'utf8')).to.equal('[local]\npass');
  });

  it('does not create the file for a delete of an absent key', async () => {
    const store = await harness.create();
    await store.delete('local.passphrase');
    expect(existsSync(harness.filePath)).to.equal(false);
  });

  it('rejects set with store-unavailable when the file path is a directory', async () => {
    const store = await harness.create();
    mkdirSync(harness.filePath, { recursive: true });
    const error = await expectAuthError(store.set('local.passphrase', HASH), 'store-unavailable');
    expect(error.message).to.contain(harness.filePath);
  });

  it('rejects set with store-unavailable when the directory is read-only', async function () {
    if (isRoot) {
      console.log('        skipped: running as root, which ignores file permissions');
      this.skip();
    }
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    chmodSync(dirname(harness.filePath), 0o500);
    try {
      await expectAuthError(store.set('local.passphrase', 'other'), 'store-unavailable');
    } finally {
      chmodSync(dirname(harness.filePath), 0o700);
    }
    expect(await store.get('local.passphrase')).to.equal(HASH);
  });
});
