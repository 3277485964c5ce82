import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, resolveDaemonConfig } from '../../../src/app/config/daemon-config.js';
import { daemonIdentityPaths, multipassDefaults, multipassLocationsFor, type Env } from '../../../src/app/paths.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe("Multipass's locations and the multipass layout", () => {
  let temp: ReturnType<typeof makeTempDir>;
  const env = (vars: NodeJS.ProcessEnv = {}): Env => ({ uid: 0, vars });
  const config = (flags: { layout?: string } = {}, vars: NodeJS.ProcessEnv = {}) =>
    resolveDaemonConfig({ dataDir: temp.path, ...flags }, env(vars), 'linux');

  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  it('defaults to the native layout and no prefix on Multipass locations', () => {
    expect(config()).to.include({ layout: 'native', multipassRoot: '' });
  });

  it('takes the layout from the file, the environment and --layout, in that order of precedence', () => {
    writeFileSync(join(temp.path, 'multipassd.yaml'), 'layout: multipass\n');
    expect(config().layout).to.equal('multipass');
    expect(config({}, { MULTIPASSD_LAYOUT: 'native' }).layout).to.equal('native');
    expect(config({ layout: 'multipass' }, { MULTIPASSD_LAYOUT: 'native' }).layout).to.equal('multipass');
    expect(() => config({ layout: 'snap' })).to.throw(ConfigError, "invalid value for 'layout'");
  });

  it('takes MULTIPASSD_MULTIPASS_ROOT as an absolute prefix', () => {
    expect(config({}, { MULTIPASSD_MULTIPASS_ROOT: '/tmp/fixture/' }).multipassRoot).to.equal('/tmp/fixture');
  });

  it("knows Multipass's locations, for the snap and otherwise, under a prefix", () => {
    expect(multipassDefaults('')).to.deep.equal({
      snap: {
        kind: 'snap',
        dataDir: '/var/snap/multipass/common/data/multipassd',
        settingsFile: '/var/snap/multipass/current/config/multipassd/multipassd.conf',
        rootCertDir: '/var/snap/multipass/common/data/multipassd',
      },
      native: {
        kind: 'native',
        dataDir: '/var/lib/multipassd',
        settingsFile: '/root/.config/multipassd/multipassd.conf',
        rootCertDir: '/usr/local/etc/multipassd',
      },
    });
    expect(multipassDefaults('/p').native.rootCertDir).to.equal('/p/usr/local/etc/multipassd');
    expect(multipassLocationsFor('/p/var/snap/multipass/common/data/multipassd', '/p').kind).to.equal('snap');
    expect(multipassLocationsFor('/srv/multipassd', '/p')).to.include({ kind: 'native', dataDir: '/srv/multipassd' });
  });

  it('keeps the identity in <data>/certificate/ natively, and where Multipass keeps it with the multipass layout', () => {
    expect(daemonIdentityPaths({ dataDir: '/d', layout: 'native', multipassRoot: '' })).to.deep.equal({
      rootCert: '/d/certificate/multipass_root_cert.pem',
      rootKey: '/d/certificate/multipass_root_cert_key.pem',
      serverCert: '/d/certificate/localhost.pem',
      serverKey: '/d/certificate/localhost_key.pem',
    });
    expect(daemonIdentityPaths({ dataDir: '/var/lib/multipassd', layout: 'multipass', multipassRoot: '' })).to.deep.equal({
      rootCert: '/usr/local/etc/multipassd/multipass_root_cert.pem',
      rootKey: '/var/lib/multipassd/certificates/localhost_root_key.pem',
      serverCert: '/var/lib/multipassd/certificates/localhost.pem',
      serverKey: '/var/lib/multipassd/certificates/localhost_key.pem',
    });
    const snap = '/var/snap/multipass/common/data/multipassd';
    expect(daemonIdentityPaths({ dataDir: snap, layout: 'multipass', multipassRoot: '' }).rootCert).to.equal(`${snap}/multipass_root_cert.pem`);
  });
});
