import { expect } from 'chai';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, resolveDaemonConfig } from '../../../src/app/config/daemon-config.js';
import { defaultSource, MigrationError } from '../../../src/app/store-migration.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe('daemon configuration of the PostgreSQL store', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const resolve = (vars: NodeJS.ProcessEnv = {}, store?: string) =>
    resolveDaemonConfig({ dataDir: temp.path, store }, { uid: 0, vars }, 'linux');

  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  it('selects store: postgres with the URL from the config file, or from MULTIPASSD_POSTGRES_URL over it', () => {
    writeFileSync(join(temp.path, 'multipassd.yaml'), 'store: postgres\npostgres_url: postgres://mp:secret@db.lab:5432/multipassd?sslmode=verify-full\n', {
      mode: 0o600,
    });
    expect(resolve()).to.include({ store: 'postgres', postgresUrl: 'postgres://mp:secret@db.lab:5432/multipassd?sslmode=verify-full' });
    expect(resolve({ MULTIPASSD_POSTGRES_URL: 'postgresql://other@/fleet?host=/run/postgresql' }).postgresUrl).to.equal(
      'postgresql://other@/fleet?host=/run/postgresql',
    );
  });

  it('refuses a config file holding a database password that other users may read, without showing the password', () => {
    const path = join(temp.path, 'multipassd.yaml');
    writeFileSync(path, 'store: postgres\npostgres_url: postgres://mp:secret@db.lab/multipassd\n');
    chmodSync(path, 0o644);
    expect(() => resolve()).to.throw(ConfigError, /holds a database password.*mode 0644.*chmod 600/);
    try {
      resolve();
    } catch (error) {
      expect((error as Error).message).not.to.contain('secret');
    }
    writeFileSync(path, 'store: postgres\npostgres_url: postgres://mp@db.lab/multipassd\n');
    expect(resolve().postgresUrl, 'no password, nothing to hide').to.equal('postgres://mp@db.lab/multipassd');
  });

  it("leaves the URL unset without one, so that pg's own PG* variables apply", () => {
    expect(resolve({}, 'postgres')).to.include({ store: 'postgres', postgresUrl: undefined });
  });

  it('refuses a value that is not a postgres URL without echoing it (it may hold a password)', () => {
    writeFileSync(join(temp.path, 'multipassd.yaml'), 'postgres_url: mysql://root:hunter2@db/x\n');
    let error: unknown;
    try {
      resolve();
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.contain("'postgres_url'").and.to.contain('postgres://').and.not.to.contain('hunter2');
  });

  it('copies into postgres from the configured store, or from the other file store between pem and sqlite', () => {
    expect(defaultSource({ store: 'pem' }, 'postgres')).to.equal('pem');
    expect(defaultSource({ store: 'postgres' }, 'sqlite')).to.equal('postgres');
    expect(defaultSource({ store: 'pem' }, 'pem')).to.equal('sqlite');
    expect(defaultSource({ store: 'sqlite' }, 'sqlite')).to.equal('pem');
    expect(() => defaultSource({ store: 'postgres' }, 'postgres')).to.throw(MigrationError, '--from');
  });
});
