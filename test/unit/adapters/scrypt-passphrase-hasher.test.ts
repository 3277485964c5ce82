import { randomBytes, scryptSync } from 'node:crypto';
import { expect } from 'chai';
import {
  DEFAULT_SCRYPT_PARAMETERS,
  ScryptPassphraseHasher,
} from '../../../src/adapters/crypto/scrypt-passphrase-hasher.js';

// Cheap parameters keep most cases quick; the production defaults get their own cases.
const FAST = { N: 1024, r: 8, p: 1 };

/** A string in our format whose key really is scrypt(passphrase) with the given parameters. */
function encodeByHand(passphrase: string, N: number, r: number, p: number): string {
  const salt = randomBytes(16);
  const key = scryptSync(passphrase, salt, 32, { N, r, p, maxmem: 256 * N * r + 128 * r * p + 2 ** 20 });
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * Multipass's hash, computed here from its documented construction (Utils::generate_scrypt_hash_for):
 * scrypt over the passphrase's UTF-8 cut to its length in UTF-16 units, empty salt, N=2^14,
 * r=8, p=1, 64 bytes, lowercase hex.
 */
function multipassHash(passphrase: string): string {
  const utf8 = Buffer.from(passphrase, 'utf8').subarray(0, passphrase.length);
  return scryptSync(utf8, Buffer.alloc(0), 64, { N: 2 ** 14, r: 8, p: 1 }).toString('hex');
}

describe('ScryptPassphraseHasher', () => {
  const hasher = new ScryptPassphraseHasher(FAST);

  it('verifies a passphrase against its own hash with the production parameters', async () => {
    const production = new ScryptPassphraseHasher();
    const encoded = await production.hash('correct horse battery staple');
    expect(encoded.startsWith(`scrypt$N=${DEFAULT_SCRYPT_PARAMETERS.N},r=${DEFAULT_SCRYPT_PARAMETERS.r},p=${DEFAULT_SCRYPT_PARAMETERS.p}$`)).to.equal(true);
    expect(await production.verify('correct horse battery staple', encoded)).to.equal(true);
  });

  it('does not verify a wrong passphrase', async () => {
    const encoded = await hasher.hash('s3cret');
    expect(await hasher.verify('s3cret ', encoded)).to.equal(false);
    expect(await hasher.verify('S3cret', encoded)).to.equal(false);
    expect(await hasher.verify('', encoded)).to.equal(false);
  });

  it('gives different strings for the same passphrase, because each hash has a fresh salt', async () => {
    const first = await hasher.hash('same');
    const second = await hasher.hash('same');
    expect(first).to.not.equal(second);
    expect(first.split('$')[2]).to.not.equal(second.split('$')[2]);
    expect(await hasher.verify('same', first)).to.equal(true);
    expect(await hasher.verify('same', second)).to.equal(true);
  });

  it('writes the documented self-describing form without the passphrase in it', async () => {
    const passphrase = 'plaintext-passphrase';
    const encoded = await hasher.hash(passphrase);
    expect(encoded).to.match(/^scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(encoded).to.not.include(passphrase);
    expect(encoded).to.not.include(Buffer.from(passphrase).toString('base64'));
    const [, , salt, key] = encoded.split('$');
    expect(Buffer.from(salt!, 'base64')).to.have.length(16);
    expect(Buffer.from(key!, 'base64')).to.have.length(32);
  });

  it('verifies unicode passphrases, whichever way the accents are composed', async () => {
    const composed = 'pässwörd 🔑 日本語';
    const encoded = await hasher.hash(composed);
    expect(await hasher.verify(composed, encoded)).to.equal(true);
    expect(await hasher.verify(composed.normalize('NFD'), encoded)).to.equal(true);
    expect(await hasher.verify('passwörd 🔑 日本語', encoded)).to.equal(false);
  });

  it('reads the parameters from the stored string, so hashes made with other settings still verify', async () => {
    const older = await new ScryptPassphraseHasher({ N: 2048, r: 4, p: 2 }).hash('kept');
    expect(older).to.match(/^scrypt\$N=2048,r=4,p=2\$/);
    expect(await hasher.verify('kept', older)).to.equal(true);
    expect(await hasher.verify('kept', encodeByHand('kept', 512, 8, 1))).to.equal(true);
    expect(await hasher.verify('other', older)).to.equal(false);
  });

  it('returns false for malformed or foreign encodings instead of throwing', async () => {
    const good = await hasher.hash('pw');
    const [, params, salt, key] = good.split('$') as [string, string, string, string];
    const malformed = [
      '',
      'garbage',
      'pw',
      '$$$',
      'scrypt',
      `scrypt$${params}$${salt}`,
      `scrypt$${params}$${salt}$${key}$extra`,
      `SCRYPT$${params}$${salt}$${key}`,
      `bcrypt$${params}$${salt}$${key}`,
      `scrypt$N=1000,r=8,p=1$${salt}$${key}`, // N not a power of two
      `scrypt$N=0,r=8,p=1$${salt}$${key}`,
      `scrypt$N=1024,r=0,p=1$${salt}$${key}`,
      `scrypt$N=-1024,r=8,p=1$${salt}$${key}`,
      `scrypt$N=01024,r=8,p=1$${salt}$${key}`,
      `scrypt$r=8,N=1024,p=1$${salt}$${key}`,
      `scrypt$N=1024,r=8,p=1$$${key}`,
      `scrypt$N=1024,r=8,p=1$${salt}$`,
      `scrypt$N=1024,r=8,p=1$${salt}$${key.slice(0, 20)}`, // too short a key
      `scrypt$N=1024,r=8,p=1$${salt}$${key.replace(/=$/, '')}`, // not canonical base64
      `scrypt$N=1024,r=8,p=1$${salt}$!${key.slice(1)}`,
      `scrypt$N=1024,r=8,p=1$${salt}$${key}\n`,
      ` ${good}`,
      `scrypt$N=1024,r=8,p=1$${'QUFB'.repeat(200)}$${key}`,
    ];
    for (const encoded of malformed) {
      expect(await hasher.verify('pw', encoded), JSON.stringify(encoded)).to.equal(false);
      expect(hasher.recognises(encoded), `recognises ${JSON.stringify(encoded)}`).to.equal(false);
    }
    expect(await hasher.verify('pw', undefined as unknown as string)).to.equal(false);
    expect(hasher.recognises(undefined as unknown as string)).to.equal(false);
    expect(await hasher.verify('pw', good)).to.equal(true);
  });

  it('recognises its own hashes and hashes made with other parameters within its limits, whatever the passphrase', async () => {
    expect(hasher.recognises(await hasher.hash('pw'))).to.equal(true);
    expect(hasher.recognises(await new ScryptPassphraseHasher().hash('another'))).to.equal(true);
    expect(hasher.recognises(encodeByHand('pw', 2, 32, 16))).to.equal(true);
    expect(hasher.recognises(encodeByHand('pw', 2, 64, 1)), 'r over the limit').to.equal(false);
  });

  it('refuses stored parameters beyond its limits even when the hash itself is right', async () => {
    // Cheap to compute here, but over the caps on r and p: a hostile string must not pick the cost.
    const tooLargeR = encodeByHand('pw', 2, 64, 1);
    const tooLargeP = encodeByHand('pw', 2, 1, 17);
    expect(await hasher.verify('pw', tooLargeR)).to.equal(false);
    expect(await hasher.verify('pw', tooLargeP)).to.equal(false);
    // Control: the same construction within the limits verifies.
    expect(await hasher.verify('pw', encodeByHand('pw', 2, 32, 16))).to.equal(true);
  });

  it('rejects absurd memory or CPU parameters without attempting them', async () => {
    const [, , salt, key] = (await hasher.hash('pw')).split('$') as [string, string, string, string];
    for (const params of ['N=1073741824,r=8,p=1', 'N=1048576,r=32,p=16', 'N=2097152,r=1,p=1', 'N=65536,r=8,p=999', 'N=16777216,r=999,p=999']) {
      expect(await hasher.verify('pw', `scrypt$${params}$${salt}$${key}`), params).to.equal(false);
    }
  });

  it('refuses to be constructed with parameters it would refuse to verify', () => {
    expect(() => new ScryptPassphraseHasher({ N: 1000, r: 8, p: 1 })).to.throw(RangeError);
    expect(() => new ScryptPassphraseHasher({ N: 2 ** 21, r: 8, p: 1 })).to.throw(RangeError);
  });

  it('hashes off the event loop, letting other work run meanwhile', async () => {
    const production = new ScryptPassphraseHasher();
    let finished = false;
    const hashing = production.hash('async please').then(() => {
      finished = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(finished).to.equal(false);
    await hashing;
    expect(finished).to.equal(true);
  });

  describe("Multipass's unsalted hash (adopted installs)", () => {
    it('verifies the passphrase against it, and nothing else', async () => {
      const stored = multipassHash('correct horse battery staple');
      expect(stored).to.match(/^[0-9a-f]{128}$/);
      expect(hasher.recognises(stored)).to.equal(true);
      expect(await hasher.verify('correct horse battery staple', stored)).to.equal(true);
      expect(await hasher.verify('correct horse battery stapler', stored)).to.equal(false);
      expect(await hasher.verify('', stored)).to.equal(false);
    });

    it('hashes non-ASCII passphrases as Multipass does: UTF-8 cut to the UTF-16 length, not normalised', async () => {
      const stored = multipassHash('pässwörd✓');
      expect(await hasher.verify('pässwörd✓', stored)).to.equal(true);
      const wholeUtf8 = scryptSync(Buffer.from('pässwörd✓'), Buffer.alloc(0), 64, { N: 2 ** 14, r: 8, p: 1 }).toString('hex');
      expect(await hasher.verify('pässwörd✓', wholeUtf8), 'Multipass never stored this').to.equal(false);
      expect(await hasher.verify('pässwörd✓'.normalize('NFD'), stored), 'no normalisation: Multipass has none').to.equal(false);
    });

    it('needs a rehash, as do hashes with other parameters; its own current hashes do not', async () => {
      expect(hasher.needsRehash(multipassHash('pw'))).to.equal(true);
      expect(hasher.needsRehash(await hasher.hash('pw'))).to.equal(false);
      expect(hasher.needsRehash(encodeByHand('pw', 2, 32, 16))).to.equal(true);
      expect(hasher.needsRehash('garbage')).to.equal(false);
    });

    it('is never what it writes', async () => {
      expect(await hasher.hash('pw')).to.match(/^scrypt\$/);
    });

    it('recognises only exactly 128 lowercase hex digits', async () => {
      const stored = multipassHash('pw');
      for (const encoded of [stored.toUpperCase(), stored.slice(2), `${stored}00`, ` ${stored}`, `${stored}\n`]) {
        expect(hasher.recognises(encoded), JSON.stringify(encoded)).to.equal(false);
        expect(await hasher.verify('pw', encoded)).to.equal(false);
      }
    });
  });
});
