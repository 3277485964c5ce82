import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ClientCredentials } from '../../../src/adapters/cli/client-options.js';
import type { WhoamiResult } from '../../../src/adapters/rpc/whoami.js';
import { runMultipass } from '../../../src/app/cli.js';
import { FakeMultipassClient } from '../../support/fakes/fake-multipass-client.js';
import { FakePrompter } from '../../support/fakes/fake-prompter.js';
import { makeTempDir } from '../../support/temp-dir.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const ROOT_CERT_PEM = '-----BEGIN CERTIFICATE-----\nZmFrZSByb290\n-----END CERTIFICATE-----\n';
export const IDENTITY = { certPem: 'client-cert-pem', keyPem: 'client-key-pem' };

/**
 * The real `multipass` composition run in-process, with a fake daemon client, a fake prompter
 * and captured output. One per test case: it owns a fresh temp dir holding the root CA file.
 */
export class CliHarness {
  readonly client = new FakeMultipassClient();
  readonly connections: ClientCredentials[] = [];
  readonly identityDirs: string[] = [];
  readonly socketPath: string;
  readonly rootCertPath: string;
  readonly vars: Record<string, string | undefined>;
  prompter = new FakePrompter();
  /** When set, making the client identity fails with it. */
  identityError: Error | undefined;
  /** When set, the identity handed out is an expired one kept in use. */
  identityExpiredOn: Date | undefined;
  /** What the daemon's whoami answers (or the failure it rejects with). */
  whoami: WhoamiResult | Error = { trusted: false, passphraseSet: false, tokensActive: false, admin: false, bootstrapOpen: false, transport: 'unix' };
  private readonly temp = makeTempDir('mpcli-');

  constructor() {
    this.socketPath = join(this.temp.path, 'multipass_socket');
    this.rootCertPath = join(this.temp.path, 'multipass_root_cert.pem');
    writeFileSync(this.rootCertPath, ROOT_CERT_PEM);
    this.vars = {
      HOME: join(this.temp.path, 'home'),
      MULTIPASS_SERVER_ADDRESS: `unix:${this.socketPath}`,
      MULTIPASS_ROOT_CERT: this.rootCertPath,
    };
  }

  get tempPath(): string {
    return this.temp.path;
  }

  answering(...answers: string[]): this {
    this.prompter = new FakePrompter(answers);
    return this;
  }

  async run(...argv: string[]): Promise<CliRun> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await runMultipass(argv, {
      env: { uid: 1000, vars: this.vars },
      stdin: new PassThrough(),
      stdout,
      stderr,
      prompter: this.prompter,
      createClient: async (credentials, onLogLine) => {
        this.connections.push(credentials);
        this.client.onLogLine = onLogLine;
        return this.client;
      },
      createWhoamiClient: async (credentials) => {
        this.connections.push(credentials);
        return {
          whoami: async () => {
            if (this.whoami instanceof Error) throw this.whoami;
            return this.whoami;
          },
          close: () => undefined,
        };
      },
      ensureIdentity: async (dir) => {
        this.identityDirs.push(dir);
        if (this.identityError !== undefined) throw this.identityError;
        return this.identityExpiredOn === undefined ? IDENTITY : { ...IDENTITY, expiredOn: this.identityExpiredOn };
      },
    });
    // Let the streams deliver what was written last.
    await new Promise((resolve) => setImmediate(resolve));
    return { code, stdout: out, stderr: err };
  }

  dispose(): void {
    this.temp.remove();
  }
}
