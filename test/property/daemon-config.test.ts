import { expect } from 'chai';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as yamlText } from 'yaml';
import { ConfigError, defaultAddress, resolveDaemonConfig, type DaemonConfig, type DaemonFlags } from '../../src/app/config/daemon-config.js';
import type { Env } from '../../src/app/paths.js';
import { makeTempDir } from '../support/temp-dir.js';
import { propertyRuns } from './property-runs.js';

const STORES = ['pem', 'sqlite'] as const;
const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
const KEYS = ['store', 'address', 'socket_group', 'log_level', 'allow_remote'] as const;
const ENV_VARS = {
  store: 'MULTIPASSD_STORE',
  address: 'MULTIPASSD_ADDRESS',
  socket_group: 'MULTIPASSD_SOCKET_GROUP',
  log_level: 'MULTIPASSD_LOG_LEVEL',
  allow_remote: 'MULTIPASSD_ALLOW_REMOTE',
} as const;
/** Keys every JS object answers to: a loader that looks keys up with `in` or `[]` trips on them. */
const OBJECT_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];
const PLATFORMS = ['linux', 'darwin', 'win32'] as const;
const HOST_PORT = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/;

/** Values the loader accepts, per key, as YAML gives them. */
const validValue = {
  store: fc.constantFrom(...STORES),
  address: fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 20 }).map((path) => `unix:/${path}`),
    fc
      .tuple(
        fc.oneof(fc.constant('localhost'), fc.ipV4(), fc.ipV6().map((ip) => `[${ip}]`), fc.domain()),
        fc.integer({ min: 0, max: 65535 }),
      )
      .map(([host, port]) => `${host}:${port}`),
  ),
  socket_group: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((group) => group.trim() !== ''),
  log_level: fc.constantFrom(...LOG_LEVELS),
  allow_remote: fc.boolean(),
};

/** The same, as environment variables spell them. */
const validEnvValue = {
  ...validValue,
  allow_remote: fc.constantFrom('true', '1', 'false', '0'),
};

const anyKey = fc.oneof(fc.constantFrom(...KEYS), fc.constantFrom(...OBJECT_KEYS), fc.string({ maxLength: 12 }));
const anyValue = fc.oneof(
  ...Object.values(validValue),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.double(),
  fc.constant(null),
);

/** Pieces of YAML syntax, glued at random: anchors, aliases, tags, flow and block collections. */
const YAML_PIECES = [
  ...KEYS,
  ...OBJECT_KEYS,
  ': ', ':', '\n', '  ', '- ', '&a ', '*a', '&b ', '*b', '[', ']', '{', '}', ', ', '"', "'", '#', '---\n', '...\n',
  '%YAML 1.1\n---\n', '<<: ', '!!binary aGk=', '!!str ', '!!int ', '!!map ', '!!set ', '!!seq ', '!!timestamp 2001-12-14',
  '!!float ', '!custom ', 'pem', 'sqlite', 'unix:/x', 'localhost:1', '[::]:0', 'true', 'yes', '~', 'null', '0x1F', '.inf',
  '|\n  ', '>\n  ', '\t', '\u0000', '\ufeff', 'é',
];

/** Well-formed YAML with what plain mappings lack: anchors, aliases (even cyclic ones), tags, merges. */
const yamlKey = fc.oneof(fc.constantFrom(...KEYS), fc.constantFrom(...OBJECT_KEYS, '<<', '? [a]', '1'));
const { value: yamlValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, tie('scalar'), tie('sequence'), tie('mapping'), tie('anchored'), tie('alias'), tie('tagged')),
  scalar: fc.oneof(
    fc.constantFrom('pem', 'sqlite', 'debug', 'true', 'yes', '~', '1', '0x10', '.nan', 'unix:/x', 'localhost:1', '"[::]:0"'),
    fc.string({ maxLength: 6 }).map((text) => JSON.stringify(text)),
  ),
  sequence: fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
  mapping: fc
    .array(fc.tuple(yamlKey, tie('value')), { maxLength: 3 })
    .map((entries) => `{${entries.map(([key, value]) => `${key}: ${value}`).join(', ')}}`),
  anchored: fc.tuple(fc.constantFrom('a', 'b'), tie('value')).map(([name, value]) => `&${name} ${value}`),
  alias: fc.constantFrom('*a', '*b'),
  tagged: fc
    .tuple(fc.constantFrom('!!str', '!!binary', '!!set', '!!map', '!!seq', '!!omap', '!!pairs', '!!int', '!!bool', '!!null', '!local'), tie('value'))
    .map(([tag, value]) => `${tag} ${value}`),
}));
const structuredYaml = fc
  .tuple(fc.constantFrom('', '%YAML 1.1\n---\n'), fc.array(fc.tuple(yamlKey, yamlValue), { maxLength: 4 }))
  .map(([directive, entries]) => directive + entries.map(([key, value]) => `${key}: ${value}\n`).join(''));

const yamlDocument = fc.oneof(
  fc.dictionary(anyKey, anyValue, { maxKeys: 6 }).map((document) => yamlText(document)),
  { arbitrary: structuredYaml, weight: 3 },
  fc.array(fc.constantFrom(...YAML_PIECES), { maxLength: 16 }).map((pieces) => pieces.join('')),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

const anyEnvValue = fc.oneof(...Object.values(validEnvValue), fc.string({ maxLength: 12 }), fc.constantFrom('', ' ', '\t'));

describe('daemon configuration properties', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const emitWarning = process.emitWarning;
  before(() => {
    temp = makeTempDir('mpa-prop-');
    // The YAML parser warns about odd tags and keys through process warnings: thousands of
    // them here, by design. Only those are dropped.
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      const text = typeof warning === 'string' ? warning : `${warning.name}: ${warning.message}`;
      if (text.startsWith('YAMLWarning') || text.startsWith('Keys with collection values')) return;
      (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
  });
  after(() => {
    process.emitWarning = emitWarning;
    temp.remove();
  });

  const configFile = (text: string): string => {
    const file = join(temp.path, 'multipassd.yaml');
    writeFileSync(file, text);
    return file;
  };

  it('gives a valid configuration or a ConfigError for any file, environment and flags, never another error', () => {
    const flags = fc.record(
      {
        store: fc.oneof(validValue.store, fc.string({ maxLength: 8 })),
        address: fc.oneof(validValue.address, fc.string({ maxLength: 12 })),
        socketGroup: fc.string({ maxLength: 8 }),
        verbosity: fc.integer({ min: -2, max: 6 }),
        perUser: fc.boolean(),
        viaFlag: fc.boolean(),
      },
      { requiredKeys: ['viaFlag'] },
    );
    const env = fc.dictionary(fc.constantFrom(...Object.values(ENV_VARS)), anyEnvValue);
    fc.assert(
      fc.property(yamlDocument, env, flags, fc.constantFrom(...PLATFORMS), fc.constantFrom(0, 1000), (text, vars, given, platform, uid) => {
        const file = configFile(text);
        const { viaFlag, ...rest } = given;
        let config: DaemonConfig;
        try {
          config = resolveDaemonConfig({ ...rest, dataDir: temp.path, ...(viaFlag ? { config: file } : {}) }, { uid, vars: { HOME: '/home/u', ...vars } }, platform);
        } catch (error) {
          if (error instanceof ConfigError) return;
          throw new Error(`expected a ConfigError, got ${String(error)}`, { cause: error });
        }
        expect(config.dataDir).to.equal(temp.path);
        expect(config.configFile).to.equal(file);
        expect([...STORES, 'postgres']).to.include(config.store);
        expect(LOG_LEVELS).to.include(config.logLevel);
        expect(config.allowRemote).to.be.a('boolean');
        expect(isAddress(config.address), config.address).to.equal(true);
        if (config.socketGroup !== undefined) expect(config.socketGroup.trim()).not.to.equal('');
      }),
      {
        ...propertyRuns(400),
        // Found by this property once; kept so that every run tries them whatever the seed.
        examples: ['store: &a [*a]\n', '__proto__: ""\n', 'constructor: x\n', 'toString: pem\n'].map(
          (text) => [text, {}, { viaFlag: true }, 'linux', 1000] as [string, Record<string, string>, { viaFlag: boolean }, 'linux', 1000],
        ),
      },
    );
  });

  it('takes each known key from the flags, else the environment, else the file, else the default', () => {
    type Layer = Partial<Record<(typeof KEYS)[number], string | boolean>>;
    const layer = (values: Record<(typeof KEYS)[number], fc.Arbitrary<string | boolean>>) =>
      fc.record(values, { requiredKeys: [] }) as fc.Arbitrary<Layer>;
    const flagLayer = fc.record(
      { store: validValue.store, address: validValue.address, socketGroup: validValue.socket_group, verbosity: fc.integer({ min: 0, max: 3 }) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(layer(validValue), layer(validEnvValue), flagLayer, fc.constantFrom(...PLATFORMS), (inFile, inEnv, flags, platform) => {
        const file = configFile(yamlText(inFile));
        const vars: NodeJS.ProcessEnv = { HOME: '/home/u' };
        for (const key of KEYS) if (inEnv[key] !== undefined) vars[ENV_VARS[key]] = String(inEnv[key]);
        const env: Env = { uid: 1000, vars };
        const config = resolveDaemonConfig({ ...flags, dataDir: temp.path, config: file } satisfies DaemonFlags, env, platform);

        const envBoolean = inEnv.allow_remote === undefined ? undefined : inEnv.allow_remote === 'true' || inEnv.allow_remote === '1';
        const verbosity = flags.verbosity === undefined || flags.verbosity === 0 ? undefined : flags.verbosity === 1 ? 'debug' : 'trace';
        // The keys this property covers; the others (limits, layout, postgres_url) have tests of their own.
        const { dataDir, configFile: fromFile, store, address, socketGroup, logLevel, allowRemote } = config;
        expect({ dataDir, configFile: fromFile, store, address, socketGroup, logLevel, allowRemote }).to.deep.equal({
          dataDir: temp.path,
          configFile: file,
          store: flags.store ?? inEnv.store ?? inFile.store ?? 'pem',
          address: flags.address ?? inEnv.address ?? inFile.address ?? defaultAddress(platform, env),
          socketGroup: flags.socketGroup ?? inEnv.socket_group ?? inFile.socket_group,
          logLevel: verbosity ?? inEnv.log_level ?? inFile.log_level ?? 'info',
          allowRemote: envBoolean ?? inFile.allow_remote ?? false,
        });
      }),
      propertyRuns(300),
    );
  });
});

function isAddress(address: string): boolean {
  if (address.startsWith('unix:/')) return true;
  const match = HOST_PORT.exec(address);
  return match !== null && Number(match[2]) <= 65535;
}
