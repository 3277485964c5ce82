import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MULTIPASS_BIN } from '../../support/binaries.js';
import { makeTempDir } from '../../support/temp-dir.js';

const run = promisify(execFile);

/** Packages that cost start-up time and that only daemon calls need. */
const HEAVY = /\/node_modules\/(?:@grpc\/|@peculiar\/|inversify\/|reflect-metadata\/)/;

const HOOKS = `
import { appendFileSync } from 'node:fs';
let log;
export async function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + '\\n');
  return result;
}
`;
const REGISTER = `
import { register } from 'node:module';
register('./hooks.mjs', import.meta.url, { data: { log: process.env.IMPORT_LOG } });
`;

/**
 * Runs the built CLI with a module hook that records every module it resolves. The CLI is a
 * fresh process per command, so what it imports is most of its latency.
 */
describe('multipass start-up', function () {
  this.timeout(20000);
  let temp: ReturnType<typeof makeTempDir>;

  const importsOf = async (...args: string[]): Promise<string[]> => {
    const log = join(temp.path, 'imports.log');
    writeFileSync(log, '');
    const env = {
      PATH: process.env.PATH,
      HOME: join(temp.path, 'home'),
      IMPORT_LOG: log,
      MULTIPASS_SERVER_ADDRESS: `unix:${join(temp.path, 'no-daemon-here')}`,
      MULTIPASS_ROOT_CERT: join(temp.path, 'root.pem'),
    };
    await run(process.execPath, ['--import', join(temp.path, 'register.mjs'), MULTIPASS_BIN, ...args], { env }).catch(
      (error: { code?: number }) => {
        // A failing command is fine here; only what it loaded matters.
        if (typeof error.code !== 'number') throw error;
      },
    );
    return readFileSync(log, 'utf8').split('\n').filter((url) => url !== '');
  };

  beforeEach(() => {
    temp = makeTempDir();
    writeFileSync(join(temp.path, 'hooks.mjs'), HOOKS);
    writeFileSync(join(temp.path, 'register.mjs'), REGISTER);
    writeFileSync(join(temp.path, 'root.pem'), 'not a certificate');
  });
  afterEach(() => temp.remove());

  for (const args of [['help'], ['help', 'authenticate'], ['--help'], ['list', '-h'], ['bogus']]) {
    it(`loads neither gRPC nor the certificate and container libraries for '${args.join(' ')}'`, async () => {
      const imports = await importsOf(...args);
      expect(imports.some((url) => url.endsWith('/dist/src/app/cli.js')), 'the hook saw the CLI load').to.equal(true);
      expect(imports.filter((url) => HEAVY.test(url))).to.deep.equal([]);
    });
  }

  it('does load gRPC for a command that calls the daemon (the check above can fail)', async () => {
    const imports = await importsOf('version');
    expect(imports.some((url) => url.includes('/node_modules/@grpc/grpc-js/'))).to.equal(true);
  });
});
