import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { CLIENT_CERT_FILE, CLIENT_KEY_FILE, ensureClientIdentity } from '../../../src/adapters/crypto/client-identity.js';
import { createEcCertificate } from '../../../src/adapters/crypto/x509-keys.js';
import { makeTempDir } from '../../support/temp-dir.js';

const DAY = 24 * 60 * 60 * 1000;

describe('ensureClientIdentity and an expired certificate', () => {
  let temp: { path: string; remove: () => void };
  let dir: string;
  beforeEach(() => {
    temp = makeTempDir();
    dir = join(temp.path, 'multipass-client-certificate');
    mkdirSync(dir);
  });
  afterEach(() => temp.remove());

  const installPair = async (notAfter: Date) => {
    const pair = await createEcCertificate({
      profile: 'client',
      subject: 'CN=multipass-client-old',
      notBefore: new Date(notAfter.getTime() - 365 * DAY),
      notAfter,
    });
    writeFileSync(join(dir, CLIENT_CERT_FILE), pair.certPem);
    writeFileSync(join(dir, CLIENT_KEY_FILE), pair.keyPem, { mode: 0o600 });
    return pair;
  };

  it('keeps an expired pair, unchanged on disk, and reports when it expired', async () => {
    const notAfter = new Date(Math.floor((Date.now() - 30 * DAY) / 1000) * 1000);
    const old = await installPair(notAfter);
    const identity = await ensureClientIdentity(dir);
    expect(identity).to.deep.equal({ certPem: old.certPem, keyPem: old.keyPem, expiredOn: notAfter });
    expect(readFileSync(join(dir, CLIENT_CERT_FILE), 'utf8')).to.equal(old.certPem);
    expect(readFileSync(join(dir, CLIENT_KEY_FILE), 'utf8')).to.equal(old.keyPem);
  });

  it('reports nothing for a pair still in date', async () => {
    await installPair(new Date(Date.now() + 30 * DAY));
    expect(await ensureClientIdentity(dir)).not.to.have.property('expiredOn');
  });
});
