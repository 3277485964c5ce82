import type { Client } from '@grpc/grpc-js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliUser } from '../support/cli-process.js';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wireStream } from '../support/grpc-wire-client.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate, type TestCertificate } from '../support/test-certificates.js';

export type StoreKind = 'pem' | 'sqlite';
export type TransportKind = 'unix' | 'tcp';

export interface Combination {
  readonly store: StoreKind;
  readonly transport: TransportKind;
}

/** Every store on every transport: the compat suite runs its checks on each. */
export const COMBINATIONS: readonly Combination[] = [
  { store: 'pem', transport: 'unix' },
  { store: 'sqlite', transport: 'unix' },
  { store: 'pem', transport: 'tcp' },
  { store: 'sqlite', transport: 'tcp' },
];

export const label = ({ store, transport }: Combination): string => `${store} store over ${transport}`;

/** A built daemon for one combination, with an admin whose certificate it trusts. */
export interface CompatDaemon {
  readonly combination: Combination;
  readonly daemon: DaemonProcess;
  readonly dir: string;
  readonly dataDir: string;
  readonly admin: TestCertificate;
  /** A wire client (generated from the project's .proto) presenting `cert`, or none. */
  client(cert?: TestCertificate): Client;
  /** A CLI user with a fresh HOME pointed at this daemon. */
  cliUser(name: string): CliUser;
  stop(): Promise<void>;
}

/**
 * Starts the daemon as an admin would set it up: on the Unix socket the admin bootstraps
 * with a first call; on TCP, where nothing bootstraps, the admin's certificate is trusted
 * with `multipassd trust add` first.
 */
export interface CompatOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Certificates trusted with `multipassd trust add` before the daemon starts. */
  readonly preTrusted?: readonly TestCertificate[];
  /** Leave the store empty: no admin call is made (the Unix socket stays restricted). */
  readonly bootstrap?: boolean;
  /** Runs before the daemon starts, with its data dir and store flags (to import, to seed files). */
  readonly prepare?: (dataDir: string, storeArgs: readonly string[]) => Promise<void>;
}

export async function startCompatDaemon(combination: Combination, options: CompatOptions = {}): Promise<CompatDaemon> {
  const temp = makeTempDir();
  const dataDir = join(temp.path, 'data');
  const admin = await makeTestCertificate('compat-admin');
  const storeArgs = ['--store', combination.store];
  const bootstrap = options.bootstrap ?? true;
  // Where nothing bootstraps (TCP, or a store that already trusts someone) the admin is trusted by hand.
  const byHand = bootstrap && (combination.transport === 'tcp' || (options.preTrusted ?? []).length > 0 || options.prepare !== undefined);
  await options.prepare?.(dataDir, storeArgs);
  const preTrusted = [...(options.preTrusted ?? []), ...(byHand ? [admin] : [])];
  for (const [index, cert] of preTrusted.entries()) {
    const file = join(temp.path, `trusted-${index}.pem`);
    writeFileSync(file, cert.pem);
    const added = await runDaemonCommand(['trust', 'add', file, '--data-dir', dataDir, ...storeArgs]);
    if (added.code !== 0) throw new Error(`trust add failed: ${added.stderr}`);
  }
  const address = combination.transport === 'unix' ? `unix:${join(temp.path, 'multipass_socket')}` : '127.0.0.1:0';
  const daemon = await startDaemonProcess({ dataDir, args: ['--address', address, ...storeArgs], env: options.env ?? {} });
  const rootCert = readFileSync(daemon.rootCertPath, 'utf8');
  const clients: Client[] = [];
  const client = (cert?: TestCertificate) => {
    const made = wireClient(daemon.address, rootCert, cert === undefined ? {} : { certPem: cert.pem, keyPem: cert.keyPem });
    clients.push(made);
    return made;
  };
  if (bootstrap) {
    const first = await wireStream(client(admin), 'version', {});
    if (first.code !== 0) {
      for (const made of clients.splice(0)) made.close();
      await daemon.stop();
      temp.remove();
      throw new Error(`the admin is not trusted (${first.code} ${first.details})`);
    }
  }
  let homes = 0;
  return {
    combination,
    daemon,
    dir: temp.path,
    dataDir,
    admin,
    client,
    cliUser: (name) => {
      const home = join(temp.path, `home-${name}-${(homes += 1)}`);
      mkdirSync(home);
      return { home, address: daemon.address, rootCertPath: daemon.rootCertPath };
    },
    stop: async () => {
      for (const made of clients.splice(0)) made.close();
      await daemon.stop();
      temp.remove();
    },
  };
}
