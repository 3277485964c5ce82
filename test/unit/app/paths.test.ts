import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientCertificateDir, defaultDaemonLocation, type Env } from '../../../src/app/paths.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe('default locations', () => {
  it('keeps the client certificate under XDG_DATA_HOME, else under HOME', () => {
    expect(clientCertificateDir({ uid: 1000, vars: { HOME: '/home/a', XDG_DATA_HOME: '/x' } })).to.equal(
      '/x/multipass-client-certificate',
    );
    expect(clientCertificateDir({ uid: 1000, vars: { HOME: '/home/a' } })).to.equal(
      '/home/a/.local/share/multipass-client-certificate',
    );
  });

  describe('the daemon the CLI looks for', () => {
    let temp: ReturnType<typeof makeTempDir>;
    beforeEach(() => (temp = makeTempDir()));
    afterEach(() => temp.remove());

    it("is this user's own daemon when its socket exists, whoever the user is", () => {
      for (const uid of [0, 1000]) {
        const env: Env = { uid, vars: { HOME: temp.path, XDG_RUNTIME_DIR: temp.path } };
        writeFileSync(join(temp.path, 'multipass_socket'), '');
        expect(defaultDaemonLocation(env)).to.deep.equal({
          address: `unix:${temp.path}/multipass_socket`,
          rootCertPath: join(temp.path, '.local/share/multipassd/certificate/multipass_root_cert.pem'),
        });
      }
    });

    it('is the system daemon otherwise', () => {
      mkdirSync(join(temp.path, 'run'));
      const env: Env = { uid: 1000, vars: { HOME: temp.path, XDG_RUNTIME_DIR: join(temp.path, 'run') } };
      expect(defaultDaemonLocation(env)).to.deep.equal({
        address: 'unix:/run/multipass_socket',
        rootCertPath: '/var/lib/multipassd/certificate/multipass_root_cert.pem',
      });
    });
  });
});
