import { expect } from 'chai';
import {
  chmodSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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
const LEGACY_HEX = 'ab'.repeat(64);
/** Shaped like the file Multipass's daemon keeps (QSettings), plus what an admin might add by hand. */
const MULTIPASS_CONF = [
  '; multipassd settings, kept by QSettings',
  '[General]',
  'local.bridged-network=',
  'local.driver=qemu',
  `local.passphrase=${LEGACY_HEX}`,
  'local.privileged-mounts=true',
  '',
  '# an admin note',
  '[other]',
  'setting = "kept, quoted"',
  '',
].join('\n');
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

  it('keeps local.passphrase as key local.passphrase of the [General] group, escaped as QSettings does', async () => {
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    await store.set('toplevel', 'x');
    // QSettings quotes a value holding `,` or `=`: Multipass would read this hash as one string.
    expect(readFileSync(harness.filePath, 'utf8')).to.equal(`[General]\nlocal.passphrase="${HASH}"\ntoplevel=x\n`);
  });

  it("reads Multipass's own settings file: [General] keys, its unsalted hex hash as it is", async () => {
    writeByHand(MULTIPASS_CONF);
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal(LEGACY_HEX);
    expect(await store.get('local.driver')).to.equal('qemu');
    expect(await store.get('local.bridged-network')).to.equal('');
    expect(harness.logger.lines.filter((line) => line.level === 'warn')).to.deep.equal([]);
  });

  it('changes only the line of the key: comments, blank lines, other keys and groups stay byte for byte', async () => {
    writeByHand(MULTIPASS_CONF);
    const store = await harness.create();
    await store.set('local.passphrase', HASH);
    expect(readFileSync(harness.filePath, 'utf8')).to.equal(MULTIPASS_CONF.replace(`local.passphrase=${LEGACY_HEX}`, `local.passphrase="${HASH}"`));
    await store.delete('local.driver');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal(
      MULTIPASS_CONF.replace(`local.passphrase=${LEGACY_HEX}`, `local.passphrase="${HASH}"`).replace('local.driver=qemu\n', ''),
    );
  });

  it('keeps CRLF line ends, and a last line without one, when it adds a key to [General]', async () => {
    writeByHand('; made by hand\r\n[General]\r\nlocal.driver=qemu\r\n\r\n[other]\r\nkey=1');
    const store = await harness.create();
    await store.set('local.passphrase', 'abc');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal(
      '; made by hand\r\n[General]\r\nlocal.driver=qemu\r\nlocal.passphrase=abc\r\n\r\n[other]\r\nkey=1',
    );
    expect(await (await harness.reopen()).get('other.key')).to.equal('1');
  });

  it('adds a [General] group at the end of a file that has none, leaving the rest as it was', async () => {
    writeByHand('# settings\n[other]\nkey=1');
    const store = await harness.create();
    await store.set('local.passphrase', 'abc');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal('# settings\n[other]\nkey=1\n\n[General]\nlocal.passphrase=abc\n');
  });

  it('reads the [local] passphrase= form earlier versions wrote, and moves it to [General] at the next write', async () => {
    writeByHand(`toplevel=x\n\n[local]\npassphrase=${HASH}\n\n[client]\nprimary-name=primary\n`);
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal(HASH);
    await store.set('local.passphrase', 'new');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal('toplevel=x\nlocal.passphrase=new\n\n[client]\nprimary-name=primary\n');
    const reopened = await harness.reopen();
    expect(await reopened.entries()).to.deep.equal([
      ['client.primary-name', 'primary'],
      ['toplevel', 'x'],
      ['local.passphrase', 'new'],
    ]);
  });

  it('moves the older form even when the value does not change, and lets [General] win where both are present', async () => {
    writeByHand('[General]\nlocal.passphrase=general\n[local]\npassphrase=older\nother=kept\n');
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal('general');
    await store.set('local.passphrase', 'general');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal('[General]\nlocal.passphrase=general\n[local]\nother=kept\n');
  });

  it('deletes both forms of the key and nothing else', async () => {
    writeByHand('; keep me\n[General]\nlocal.passphrase=a\nlocal.driver=qemu\n[local]\npassphrase=b\n');
    const store = await harness.create();
    await store.delete('local.passphrase');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal('; keep me\n[General]\nlocal.driver=qemu\n');
    expect(await store.get('local.passphrase')).to.equal(undefined);
  });

  it('reads a file written by hand in QSettings style', async () => {
    writeByHand('[General]\r\nlocal.passphrase = "abc;def" ; a comment\r\n; a comment\r\n\r\n[client]\r\nprimary-name=primary\r\n');
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal('abc;def');
    expect(await store.get('client.primary-name')).to.equal('primary');
    expect(harness.logger.lines.filter((line) => line.level === 'warn')).to.deep.equal([]);
  });

  it('sees a hand edit of the file on the next get', async () => {
    const store = await harness.create();
    await store.set('local.passphrase', 'old');
    writeByHand('[General]\nlocal.passphrase=edited by hand, longer\n');
    expect(await store.get('local.passphrase')).to.equal(undefined);
    writeByHand('[General]\nlocal.passphrase="edited by hand, longer"\n');
    expect(await store.get('local.passphrase')).to.equal('edited by hand, longer');
  });

  it('reads what it can of a file with lines it cannot interpret, warns with file and line, and keeps them byte for byte when writing', async () => {
    const original = '[General]\nlocal.passphrase=kept\nthis line has no equals sign\nlocal.list=a,b\n';
    writeByHand(original);
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal('kept');
    const warnings = harness.logger.lines.filter((line) => line.level === 'warn');
    expect(warnings.map((line) => line.fields?.line)).to.deep.equal([3, 4]);
    expect(warnings[0]?.message).to.contain(`${harness.filePath}:3`);
    await store.set('local.passphrase', 'new');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal(original.replace('=kept', '=new'));
  });

  it('refuses to write a key that a line it cannot interpret may hold, and leaves the file alone', async () => {
    const original = '[General]\nlocal.passphrase=a,b\n';
    writeByHand(original);
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal(undefined);
    const error = await expectAuthError(store.set('local.passphrase', 'new'), 'store-unavailable');
    expect(error.message).to.contain(harness.filePath).and.to.contain('line 2');
    await expectAuthError(store.delete('local.passphrase'), 'store-unavailable');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal(original);
  });

  it('keeps bytes that are not UTF-8 exactly as they were when writing another key', async () => {
    const original = Buffer.concat([Buffer.from('[General]\nlocal.passphrase=a\nother='), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
    writeByHand(original);
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal('a');
    await store.delete('local.passphrase');
    expect(readFileSync(harness.filePath).equals(Buffer.concat([Buffer.from('[General]\nother='), Buffer.from([0xff, 0xfe, 0x0a])]))).to.equal(true);
    await expectAuthError(store.set('other', 'x'), 'store-unavailable');
  });

  it('does not warn again for the same unreadable line on every get', async () => {
    writeByHand('[General]\nlocal.passphrase=kept\nbroken\n');
    const store = await harness.create();
    await store.get('local.passphrase');
    await store.get('local.passphrase');
    expect(harness.logger.lines.filter((line) => line.level === 'warn')).to.have.length(1);
  });

  it('escapes keys as QSettings does and reads them back, but refuses keys QSettings cannot hold', async () => {
    const store = await harness.create();
    await store.set('local.a=b', '1');
    await store.set('local.list[]', '2');
    await store.set('@x', '@y');
    expect(readFileSync(harness.filePath, 'utf8')).to.equal('[General]\nlocal.a%3Db=1\nlocal.list%5B%5D=2\n%40x=@@y\n');
    const before = readFileSync(harness.filePath, 'utf8');
    for (const key of ['', 'local/passphrase']) {
      await expectAuthError(store.set(key, 'v'), 'invalid-setting');
    }
    expect(readFileSync(harness.filePath, 'utf8')).to.equal(before);
    expect(await (await harness.reopen()).entries()).to.deep.equal([
      ['local.a=b', '1'],
      ['local.list[]', '2'],
      ['@x', '@y'],
    ]);
  });

  it('writes through a link an admin made at the file: the file it leads to is replaced atomically and the link stays', async () => {
    const elsewhere = join(dirname(dirname(harness.filePath)), 'etc');
    mkdirSync(elsewhere, { recursive: true });
    const target = join(elsewhere, 'multipassd.conf');
    writeFileSync(target, MULTIPASS_CONF);
    mkdirSync(dirname(harness.filePath), { recursive: true });
    symlinkSync(target, harness.filePath);
    const inode = statSync(target).ino;
    const store = await harness.create();
    expect(await store.get('local.passphrase')).to.equal(LEGACY_HEX);
    await store.set('local.passphrase', 'abc');
    expect(lstatSync(harness.filePath).isSymbolicLink(), 'the link stays').to.equal(true);
    expect(readlinkSync(harness.filePath)).to.equal(target);
    expect(readFileSync(target, 'utf8')).to.equal(MULTIPASS_CONF.replace(`local.passphrase=${LEGACY_HEX}`, 'local.passphrase=abc'));
    expect(statSync(target).ino, 'a new file renamed over the old one').to.not.equal(inode);
    expect(readdirSync(elsewhere)).to.deep.equal(['multipassd.conf']);
  });

  it("refuses to write through a link another user owns, and changes nothing", async function () {
    if (!isRoot) {
      console.log('        skipped: making a link owned by uid 65534 needs root');
      this.skip();
    }
    const target = join(dirname(dirname(harness.filePath)), 'target.conf');
    writeFileSync(target, MULTIPASS_CONF);
    mkdirSync(dirname(harness.filePath), { recursive: true });
    symlinkSync(target, harness.filePath);
    lchownSync(harness.filePath, 65534, 65534);
    const store = await harness.create();
    const error = await expectAuthError(store.set('local.passphrase', 'abc'), 'store-unavailable');
    expect(error.message).to.contain('owned by uid 65534');
    expect(readFileSync(target, 'utf8')).to.equal(MULTIPASS_CONF);
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
