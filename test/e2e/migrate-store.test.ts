import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScryptPassphraseHasher } from '../../src/adapters/crypto/scrypt-passphrase-hasher.js';
import { MULTIPASSD_BIN } from '../support/binaries.js';
import { cleanEnv, runDaemonCommand } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { testCertificatePool, type TestCertificate } from '../support/test-certificates.js';

const FINGERPRINT_LINE = /^([0-9a-f]{64})\s/gm;

describe('multipassd migrate-store', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let pool: readonly TestCertificate[];
  const dataDir = () => join(temp.path, 'data');
  const daemon = (...args: string[]) => runDaemonCommand([...args, '--data-dir', dataDir()], {}, 60000);
  const trusted = async (store: string) => {
    const listed = await daemon('trust', 'list', '--store', store);
    expect(listed.code, listed.stderr).to.equal(0);
    return new Set([...listed.stdout.matchAll(FINGERPRINT_LINE)].map((match) => match[1]));
  };

  before(async () => {
    pool = await testCertificatePool(300);
  });

  beforeEach(async () => {
    temp = makeTempDir();
    mkdirSync(join(dataDir(), 'authenticated-certs'), { recursive: true });
    writeFileSync(join(dataDir(), 'authenticated-certs', 'multipass_client_certs.pem'), pool.map((cert) => cert.pem).join(''));
    const hash = await new ScryptPassphraseHasher().hash('pw');
    writeFileSync(join(dataDir(), 'multipassd.conf'), `[local]\npassphrase=${hash}\n`);
  });
  afterEach(() => temp.remove());

  it('copies every certificate and setting to SQLite, verifies, and says how to switch', async () => {
    const result = await daemon('migrate-store', '--to', 'sqlite');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('Copied 300 certificate(s) (300 new) and 1 setting(s) from pem to sqlite');
    expect(result.stdout).to.contain('`store: sqlite`');
    expect(await trusted('sqlite')).to.deep.equal(new Set(pool.map((cert) => cert.fingerprint)));
  });

  it('is idempotent', async () => {
    expect((await daemon('migrate-store', '--to', 'sqlite')).code).to.equal(0);
    const second = await daemon('migrate-store', '--to', 'sqlite');
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.contain('(0 new)');
    expect((await trusted('sqlite')).size).to.equal(300);
  });

  it('migrates back from SQLite to the PEM file', async () => {
    expect((await daemon('migrate-store', '--to', 'sqlite')).code).to.equal(0);
    const extra = join(temp.path, 'extra.pem');
    const newcomer = (await testCertificatePool(301))[300]!;
    writeFileSync(extra, newcomer.pem);
    expect((await daemon('trust', 'add', extra, '--store', 'sqlite')).code).to.equal(0);
    const back = await daemon('migrate-store', '--to', 'pem');
    expect(back.code, back.stderr).to.equal(0);
    expect(back.stdout).to.contain('(1 new)');
    expect((await trusted('pem')).has(newcomer.fingerprint)).to.equal(true);
  });

  it('loses nothing when killed midway: running it again completes the copy', async () => {
    for (const delay of [40, 120, 250, 400]) {
      await new Promise<void>((resolve) => {
        const child = spawn(process.execPath, [MULTIPASSD_BIN, 'migrate-store', '--to', 'sqlite', '--data-dir', dataDir()], {
          env: cleanEnv(),
          stdio: 'ignore',
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), delay);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      const partial = await trusted('sqlite');
      expect(partial.size === 0 || partial.size === 300, `all or nothing, got ${partial.size}`).to.equal(true);
    }
    expect((await daemon('migrate-store', '--to', 'sqlite')).code).to.equal(0);
    expect(await trusted('sqlite')).to.deep.equal(await trusted('pem'));
  });
});
