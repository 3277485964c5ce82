import { expect } from 'chai';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, resolveDaemonConfig, type DaemonFlags } from '../../../src/app/config/daemon-config.js';
import type { Env } from '../../../src/app/paths.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe('daemon configuration', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const userEnv = (vars: NodeJS.ProcessEnv = {}): Env => ({ uid: 1000, vars: { HOME: '/home/u', ...vars } });
  const resolve = (flags: DaemonFlags, env: Env = userEnv(), platform: NodeJS.Platform = 'linux') =>
    resolveDaemonConfig({ dataDir: temp.path, ...flags }, env, platform);
  const writeConfig = (text: string, name = 'multipassd.yaml') => {
    const path = join(temp.path, name);
    writeFileSync(path, text);
    return path;
  };
  const configError = (run: () => unknown): ConfigError => {
    try {
      run();
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  describe('defaults', () => {
    it('listens on the Unix socket on Linux and macOS', () => {
      for (const platform of ['linux', 'darwin'] as const) {
        const config = resolveDaemonConfig({}, userEnv({ XDG_RUNTIME_DIR: '/run/user/1000' }), platform);
        expect(config.address).to.equal('unix:/run/user/1000/multipass_socket');
      }
    });

    it('listens on TCP localhost:50051 on Windows', () => {
      expect(resolveDaemonConfig({}, userEnv(), 'win32').address).to.equal('localhost:50051');
    });

    it('uses the system locations as root and per-user ones otherwise', () => {
      const root = resolveDaemonConfig({}, { uid: 0, vars: {} }, 'linux');
      expect(root).to.include({ dataDir: '/var/lib/multipassd', address: 'unix:/run/multipass_socket' });
      const user = resolveDaemonConfig({}, userEnv({ XDG_DATA_HOME: '/x/data' }), 'linux');
      expect(user.dataDir).to.equal('/x/data/multipassd');
      expect(user.address).to.equal('unix:/x/data/multipassd/multipass_socket');
    });

    it('keeps certificates in the PEM file and logs at info level', () => {
      expect(resolve({})).to.include({ store: 'pem', logLevel: 'info', allowRemote: false, configFile: undefined });
    });
  });

  describe('precedence', () => {
    it('reads multipassd.yaml in the data dir', () => {
      const file = writeConfig('store: sqlite\naddress: localhost:6000\nsocket_group: wheel\nlog_level: warn\n');
      expect(resolve({})).to.include({ store: 'sqlite', address: 'localhost:6000', socketGroup: 'wheel', logLevel: 'warn', configFile: file });
    });

    it('lets the environment override the file, and flags override both', () => {
      writeConfig('store: sqlite\naddress: localhost:6000\n');
      const env = userEnv({ MULTIPASSD_STORE: 'pem', MULTIPASSD_ADDRESS: 'localhost:7000' });
      expect(resolve({}, env)).to.include({ store: 'pem', address: 'localhost:7000' });
      expect(resolve({ store: 'sqlite', address: 'unix:/tmp/s' }, env)).to.include({ store: 'sqlite', address: 'unix:/tmp/s' });
    });

    it('maps -v to debug and -vv to trace over any configured level', () => {
      writeConfig('log_level: error\n');
      expect(resolve({ verbosity: 1 }).logLevel).to.equal('debug');
      expect(resolve({ verbosity: 3 }).logLevel).to.equal('trace');
      expect(resolve({ verbosity: 0 }).logLevel).to.equal('error');
    });

    it('reads the file named by --config instead of the default one', () => {
      writeConfig('store: pem\n');
      const other = writeConfig('store: sqlite\n', 'other.yaml');
      expect(resolve({ config: other })).to.include({ store: 'sqlite', configFile: other });
    });
  });

  describe('invalid configuration', () => {
    it('names an unknown key and the file', () => {
      const file = writeConfig('store: pem\nstroe: sqlite\n');
      const error = configError(() => resolve({}));
      expect(error.message).to.contain("unknown key 'stroe'").and.to.contain(file);
    });

    // Names every object inherits: `key in KEYS` matched them and crashed with a TypeError.
    const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

    for (const name of INHERITED) {
      it(`reports the key '${name}' in the file as unknown, like any other`, () => {
        const file = writeConfig(`store: pem\n${name}: sqlite\n`);
        const error = configError(() => resolve({}));
        expect(error.message).to.contain(`unknown key '${name}'`).and.to.contain(file).and.to.contain('known keys: store');
      });

      it(`reports '${name}' as a value from the environment as invalid, and ignores a variable of that name`, () => {
        const error = configError(() => resolve({}, userEnv({ MULTIPASSD_STORE: name })));
        expect(error.message).to.contain("invalid value for 'store' in the environment").and.to.contain(name);
        const ignored = userEnv({ [name]: 'sqlite', [`MULTIPASSD_${name.toUpperCase()}`]: 'sqlite' });
        expect(resolve({}, ignored)).to.include({ store: 'pem', logLevel: 'info' });
      });
    }

    it('names a key with a bad value and the file', () => {
      const file = writeConfig('store: mysql\n');
      expect(configError(() => resolve({})).message).to.contain("'store'").and.to.contain(file).and.to.contain('mysql');
    });

    it('rejects a bad address, wherever it comes from', () => {
      expect(configError(() => resolve({ address: 'unix:relative' })).message).to.contain("'address'");
      expect(configError(() => resolve({}, userEnv({ MULTIPASSD_ADDRESS: 'nohost' }))).message).to.contain('the environment');
      expect(configError(() => resolve({ address: 'localhost:99999' })).message).to.contain('the command line');
    });

    it('rejects YAML that is not a mapping, or not YAML', () => {
      writeConfig('- store\n- pem\n');
      expect(configError(() => resolve({})).message).to.contain('mapping');
      writeConfig('store: [unclosed\n');
      expect(configError(() => resolve({})).message).to.contain('not valid YAML');
    });

    it('refuses a --config file that does not exist or cannot be read', () => {
      expect(configError(() => resolve({ config: join(temp.path, 'missing.yaml') })).message).to.contain('missing.yaml');
      if (process.getuid?.() !== 0) {
        const file = writeConfig('store: pem\n');
        chmodSync(file, 0);
        expect(configError(() => resolve({})).message).to.contain('cannot read');
      }
    });
  });
});
