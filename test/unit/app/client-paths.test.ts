import { expect } from 'chai';
import { clientCertificateDir, defaultDaemonLocation, type Env } from '../../../src/app/paths.js';

const HOME = '/home/a';
const env: Env = { uid: 1000, vars: { HOME, XDG_RUNTIME_DIR: '/run/user/1000' } };
const STANDARD = `${HOME}/.local/share/multipass-client-certificate`;
const SNAP = `${HOME}/snap/multipass/current/data/multipass-client-certificate`;
const pair = (dir: string) => [`${dir}/multipass_cert.pem`, `${dir}/multipass_cert_key.pem`];
const existing = (...paths: string[]) => (path: string) => paths.includes(path);

describe("the CLI's client certificate, where Multipass's is", () => {
  it("is the Multipass snap client's when only the snap's pair exists", () => {
    expect(clientCertificateDir(env, existing(...pair(SNAP)))).to.equal(SNAP);
  });

  it('is the standard one when it has a pair, whatever the snap has', () => {
    expect(clientCertificateDir(env, existing(...pair(STANDARD), ...pair(SNAP)))).to.equal(STANDARD);
  });

  it('is the standard one, to be made there, when neither has a complete pair', () => {
    expect(clientCertificateDir(env, existing())).to.equal(STANDARD);
    expect(clientCertificateDir(env, existing(`${SNAP}/multipass_cert.pem`))).to.equal(STANDARD);
  });

  it('follows XDG_DATA_HOME for the standard one', () => {
    const xdg: Env = { uid: 1000, vars: { HOME, XDG_DATA_HOME: '/x' } };
    expect(clientCertificateDir(xdg, existing(...pair(SNAP), ...pair('/x/multipass-client-certificate')))).to.equal(
      '/x/multipass-client-certificate',
    );
  });
});

describe("the system daemon's root CA, where the daemon's layout puts it", () => {
  const OURS = '/var/lib/multipassd/certificate/multipass_root_cert.pem';
  const MULTIPASS = '/usr/local/etc/multipassd/multipass_root_cert.pem';
  const SNAP_CA = '/var/snap/multipass/common/data/multipassd/multipass_root_cert.pem';
  const SNAP_SOCKET = '/var/snap/multipass/common/multipass_socket';

  it('is ours when it exists', () => {
    expect(defaultDaemonLocation(env, existing(OURS, MULTIPASS))).to.deep.equal({
      address: 'unix:/run/multipass_socket',
      rootCertPath: OURS,
    });
  });

  it("is Multipass's when ours is absent (a daemon run with the Multipass layout)", () => {
    expect(defaultDaemonLocation(env, existing(MULTIPASS, SNAP_CA)).rootCertPath).to.equal(MULTIPASS);
    expect(defaultDaemonLocation(env, existing(SNAP_CA)).rootCertPath).to.equal(SNAP_CA);
  });

  it('is ours, to be named in the error, when none exists', () => {
    expect(defaultDaemonLocation(env, existing()).rootCertPath).to.equal(OURS);
  });

  it("is the snap's, at the snap's socket, when only the Multipass snap's daemon runs", () => {
    expect(defaultDaemonLocation(env, existing(SNAP_SOCKET, SNAP_CA, MULTIPASS))).to.deep.equal({
      address: `unix:${SNAP_SOCKET}`,
      rootCertPath: SNAP_CA,
    });
    expect(defaultDaemonLocation(env, existing('/run/multipass_socket', SNAP_SOCKET)).address).to.equal('unix:/run/multipass_socket');
  });
});
