import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { resolveDaemonConfig, type DaemonConfig } from '../../../src/app/config/daemon-config.js';
import { pemCertStorePath } from '../../../src/app/paths.js';
import { otherStoreHolding, storeSwitchProblem } from '../../../src/app/store-switch.js';
import { makeTestCertificate } from '../../support/test-certificates.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe('store switched without migrate-store', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let config: DaemonConfig;
  beforeEach(() => {
    temp = makeTempDir();
    config = resolveDaemonConfig({ dataDir: temp.path, store: 'sqlite' }, { uid: 1000, vars: { HOME: temp.path } }, 'linux');
  });
  afterEach(() => temp.remove());

  const pemHolding = async () => {
    const path = pemCertStorePath(temp.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, (await makeTestCertificate()).pem);
    return path;
  };

  it('finds nothing when the other store does not exist', async () => {
    expect(await otherStoreHolding(config)).to.equal(undefined);
    expect(await otherStoreHolding({ ...config, store: 'postgres' })).to.equal(undefined);
  });

  it('finds the PEM store holding certificates when sqlite is configured, and names the fix', async () => {
    const path = await pemHolding();
    const other = await otherStoreHolding(config);
    expect(other).to.deep.equal({ kind: 'pem', path, certificates: 1 });
    expect(storeSwitchProblem(config, other!)).to.contain('`multipassd migrate-store --to sqlite`');
  });

  it('looks at both file stores for postgres, whose migration needs its source named', async () => {
    await pemHolding();
    const postgres = { ...config, store: 'postgres' } as const;
    const other = await otherStoreHolding(postgres);
    expect(other?.kind).to.equal('pem');
    expect(storeSwitchProblem(postgres, other!)).to.contain('`multipassd migrate-store --from pem --to postgres`');
  });
});
