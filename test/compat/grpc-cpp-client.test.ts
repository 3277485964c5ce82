import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/binaries.js';
import { startDaemonProcess } from '../support/daemon-process.js';
import { buildGrpcCppProgram, type CppBuild } from '../support/grpc-cpp-build.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';

const run = promisify(execFile);
const SOURCE = join(REPO_ROOT, 'test', 'compat', 'cpp', 'multipass-like-client.cc');
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const NOT_AUTHENTICATED = "The client is not authenticated with the Multipass service.\\nPlease use 'multipass authenticate' before proceeding.";
const NO_PASSPHRASE = 'Passphrase is not set. Please `multipass set local.passphrase` with a trusted client.';

/**
 * The daemon's gRPC server against a client of gRPC's C-core C++ library, which Multipass's own
 * client is built on (the other compat tests use grpc-js): its framing, trailers and
 * streaming calls must be what that library expects. Needs gRPC's C++ packages, which CI does
 * not install: without them it skips, saying which to install.
 */
describe("a gRPC C++ client, made as Multipass's client is", function () {
  this.timeout(240_000);
  let temp: ReturnType<typeof makeTempDir>;
  let build: CppBuild;

  before(async function () {
    temp = makeTempDir();
    build = await buildGrpcCppProgram(SOURCE, temp.path, 'multipass-like-client', '-O0');
    if ('skipped' in build) {
      console.log(`      skipped: ${build.skipped}`);
      this.skip();
    }
  });
  after(() => temp?.remove());

  const callsAs = async (binary: string, address: string, rootCertPath: string, identity: { pem: string; keyPem: string }, name: string): Promise<string[]> => {
    const cert = join(temp.path, `${name}.pem`);
    const key = join(temp.path, `${name}.key`);
    writeFileSync(cert, identity.pem);
    writeFileSync(key, identity.keyPem, { mode: 0o600 });
    const { stdout } = await run(binary, [address, rootCertPath, cert, key], { timeout: 60_000 });
    return stdout.trim().split('\n');
  };

  for (const transport of ['unix', 'tcp'] as const) {
    it(`is answered over ${transport} as a Multipass client expects: every call for a trusted client, UNAUTHENTICATED for a stranger`, async () => {
      const binary = (build as { binary: string }).binary;
      const dataDir = join(temp.path, transport, 'data');
      mkdirSync(join(dataDir, 'authenticated-certs'), { recursive: true, mode: 0o700 });
      const trusted = await makeTestCertificate('cpp-trusted');
      const stranger = await makeTestCertificate('cpp-stranger');
      writeFileSync(join(dataDir, 'authenticated-certs', 'multipass_client_certs.pem'), trusted.pem, { mode: 0o600 });
      const daemon = await startDaemonProcess({
        dataDir,
        args: ['--address', transport === 'unix' ? `unix:${join(temp.path, transport, 'sock')}` : '127.0.0.1:0'],
      });
      try {
        expect(await callsAs(binary, daemon.address, daemon.rootCertPath, trusted, 'trusted')).to.deep.equal([
          'ping 0 1 [] []',
          `version 0 1 [${VERSION}] []`,
          'version-v3 0 2 [log line] []',
          'list 0 1 [0] []',
          'get 0 1 [] []',
          'keys-without-request 0 1 [1] []',
          `authenticate 9 0 [] [${NO_PASSPHRASE}]`,
        ]);
        expect(await callsAs(binary, daemon.address, daemon.rootCertPath, stranger, 'stranger')).to.deep.equal([
          `ping 16 1 [] [${NOT_AUTHENTICATED}]`,
          `version 16 0 [] [${NOT_AUTHENTICATED}]`,
          `version-v3 16 0 [] [${NOT_AUTHENTICATED}]`,
          `list 16 0 [] [${NOT_AUTHENTICATED}]`,
          `get 16 0 [] [${NOT_AUTHENTICATED}]`,
          `keys-without-request 16 0 [] [${NOT_AUTHENTICATED}]`,
          `authenticate 9 0 [] [${NO_PASSPHRASE}]`,
        ]);
      } finally {
        await daemon.stop();
      }
    });
  }
});
