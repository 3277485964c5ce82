import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScryptPassphraseHasher } from '../../../src/adapters/crypto/scrypt-passphrase-hasher.js';
import { MultipassImportError, readMultipassInstall } from '../../../src/adapters/multipass/multipass-install.js';
import { multipassClientsFile } from '../../../src/adapters/multipass/multipass-locations.js';
import { NullLogger } from '../../support/fakes/null-logger.js';
import { makeMultipassFixture, type MultipassFixture } from '../../support/multipass-fixture.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe('readMultipassInstall', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let fixture: MultipassFixture;
  const read = (options: { skipIdentity?: boolean } = {}) =>
    readMultipassInstall(fixture.locations, { hasher: new ScryptPassphraseHasher(), logger: new NullLogger(), ...options });
  const refusal = async (options: { skipIdentity?: boolean } = {}): Promise<string> => {
    const error = await rejectionOf(read(options));
    expect(error).to.be.instanceOf(MultipassImportError);
    return (error as Error).message;
  };
  const settings = (text: string) => writeFileSync(fixture.locations.settingsFile, text);

  beforeEach(async () => {
    temp = makeTempDir();
    fixture = await makeMultipassFixture(join(temp.path, 'mp'));
  });
  afterEach(() => temp.remove());

  it('reads the trusted clients, the passphrase hash as Multipass stored it, and the identity', async () => {
    const install = await read();
    expect(install.clients?.certificates.map((cert) => cert.fingerprint)).to.deep.equal(fixture.clients.map((cert) => cert.fingerprint));
    expect(install.passphraseHash).to.equal(fixture.passphraseHash);
    expect(install.identity?.root).to.deep.equal(fixture.rootCa);
    expect(install.identity?.server).to.deep.equal(fixture.server);
  });

  it('takes a missing or empty passphrase, and a missing clients file, for none', async () => {
    settings('[General]\nlocal.passphrase=\n');
    rmSync(multipassClientsFile(fixture.locations.dataDir));
    const install = await read();
    expect(install.passphraseHash).to.equal(undefined);
    expect(install.clients).to.equal(undefined);
    rmSync(fixture.locations.settingsFile);
    expect((await read()).passphraseHash).to.equal(undefined);
  });

  it('refuses a directory that is not a Multipass data directory', async () => {
    const empty = join(temp.path, 'empty');
    mkdirSync(empty);
    fixture = { ...fixture, locations: { ...fixture.locations, dataDir: empty } };
    expect(await refusal()).to.contain('does not look like a Multipass data directory');
  });

  it('refuses a damaged trusted clients file', async () => {
    writeFileSync(multipassClientsFile(fixture.locations.dataDir), '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n');
    expect(await refusal()).to.contain('holds no valid certificate');
  });

  it('refuses a passphrase hash in no format it knows', async () => {
    settings('[General]\nlocal.passphrase=plain-text-password\n');
    expect(await refusal()).to.contain("'local.passphrase'").and.not.contain('plain-text-password');
  });

  it('refuses an incomplete identity, naming what is missing, unless told to leave it out', async () => {
    const key = join(fixture.locations.dataDir, 'certificates', 'localhost_key.pem');
    rmSync(key);
    expect(await refusal()).to.contain(`'${key}'`).and.contain('--skip-identity');
    expect((await read({ skipIdentity: true })).identity).to.equal(undefined);
  });

  it('refuses a server certificate the root CA did not sign', async () => {
    const other = (await makeMultipassFixture(join(temp.path, 'other'))).rootCa;
    const rootKey = join(fixture.locations.dataDir, 'certificates', 'localhost_root_key.pem');
    rmSync(rootKey); // 0400, as Multipass leaves it
    writeFileSync(rootKey, other.keyPem);
    writeFileSync(fixture.rootCertPath, other.certPem);
    expect(await refusal()).to.contain('not signed by the root CA');
  });

  it('finds no identity at all in an install that never made one', async () => {
    fixture = await makeMultipassFixture(join(temp.path, 'bare'), { withoutIdentity: true });
    expect((await read()).identity).to.equal(undefined);
  });
});
