import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { createEcCertificate, type PemKeyPair } from '../../src/adapters/crypto/x509-keys.js';

/**
 * A throwaway PostgreSQL cluster for one test file: `initdb` + `pg_ctl` from Debian's
 * `postgresql` package, in a temp dir owned by an unprivileged user (PostgreSQL refuses to
 * run as root), with its socket in that dir (trust: only whoever reaches the dir gets in) and
 * TCP on 127.0.0.1 at a free port (password only). Durability is off: it is thrown away.
 */
export interface PostgresCluster {
  readonly socketDir: string;
  readonly port: number;
  /** A login role with a password, for URLs over TCP (`tcpUrl`). */
  readonly role: { readonly name: string; readonly password: string };
  /** With `tls: true`: the CA that signed the server's certificate (for localhost and 127.0.0.1). */
  readonly ca: string | undefined;
  /** As the cluster's superuser, over the private socket. */
  url(database: string): string;
  /** As `role`, with its password, over TCP to 127.0.0.1; `query` is appended as it is. */
  tcpUrl(database: string, query?: string): string;
  /** A new, empty database (owned by `role`); its name. */
  createDatabase(): Promise<string>;
  /** Runs SQL as the superuser in `database`; the rows. */
  sql<R extends pg.QueryResultRow = Record<string, unknown>>(database: string, text: string, values?: unknown[]): Promise<R[]>;
  /** Stops the server (fast shutdown: clients are disconnected), as an outage would. */
  stop(): Promise<void>;
  /** Starts it again after `stop`, at the same port. */
  start(): Promise<void>;
  /** Stops it and removes every file. */
  destroy(): Promise<void>;
}

export interface ClusterOptions {
  /** Serve TLS on TCP (a fresh CA and server certificate). */
  readonly tls?: boolean;
}

interface Binaries {
  readonly initdb: string;
  readonly pgCtl: string;
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Why no cluster can be had here, or undefined: PostgreSQL's server binaries must be
 * installed (`apt-get install postgresql`), and as root there must be an unprivileged user to
 * run them as.
 */
export function postgresUnavailable(): string | undefined {
  if (process.platform === 'win32') return 'the PostgreSQL test cluster needs a Unix system';
  if (findBinaries() === undefined) return 'PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin; apt-get install postgresql)';
  if (runAs() === undefined) return 'running as root and neither the postgres user nor uid 65534 can own a test cluster';
  return undefined;
}

/**
 * For a `describe`: starts one cluster before its cases (or skips them all with a printed
 * reason) and destroys it after. Call the returned function inside cases.
 */
export function usePostgresCluster(options: ClusterOptions = {}): () => PostgresCluster {
  let cluster: PostgresCluster | undefined;
  before(async function () {
    this.timeout(60_000);
    const reason = postgresUnavailable();
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    cluster = await startPostgresCluster(options);
  });
  after(async function () {
    this.timeout(30_000);
    await cluster?.destroy();
  });
  return () => {
    if (cluster === undefined) throw new Error('the PostgreSQL test cluster is not running');
    return cluster;
  };
}

export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const binaries = findBinaries();
  const user = runAs();
  if (binaries === undefined || user === undefined) throw new Error(postgresUnavailable());
  const dir = mkdtempSync(join(tmpdir(), 'mpa-pg-'));
  const dataDir = join(dir, 'data');
  const run = (file: string, args: readonly string[]) => runAsUser(file, args, user);
  const role = { name: 'fleet', password: randomBytes(12).toString('hex') };
  const port = await freePort();
  let ca: string | undefined;
  try {
    chownSync(dir, user.uid, user.gid);
    await run(binaries.initdb, [
      '-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C',
    ]);
    const settings = [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 200',
      'shared_buffers = 16MB',
    ];
    if (options.tls === true) {
      const identity = await tlsIdentity();
      ca = identity.ca.certPem;
      writeOwned(join(dataDir, 'server.crt'), identity.server.certPem, user, 0o644);
      writeOwned(join(dataDir, 'server.key'), identity.server.keyPem, user, 0o600);
      settings.push('ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'");
    }
    appendFileSync(join(dataDir, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const logFile = join(dir, 'server.log');
  const start = () => run(binaries.pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '30', 'start']);
  const stop = () => run(binaries.pgCtl, ['-D', dataDir, '-w', '-t', '30', '-m', 'fast', 'stop']);
  const url = (database: string) => `postgresql://postgres@localhost:${port}/${database}?host=${encodeURIComponent(dir)}`;
  const sql = async <R extends pg.QueryResultRow>(database: string, text: string, values?: unknown[]): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  try {
    await start();
    await sql('postgres', `CREATE ROLE ${role.name} LOGIN PASSWORD '${role.password}'`);
  } catch (error) {
    await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot start the PostgreSQL test cluster: ${(error as Error).message}\n${readIfAny(logFile)}`);
  }
  let databases = 0;
  let running = true;
  return {
    socketDir: dir,
    port,
    role,
    ca,
    url,
    tcpUrl: (database, query) =>
      `postgresql://${role.name}:${role.password}@127.0.0.1:${port}/${database}${query === undefined ? '' : `?${query}`}`,
    async createDatabase() {
      databases += 1;
      const name = `case_${process.pid}_${databases}`;
      await sql('postgres', `CREATE DATABASE ${name} OWNER ${role.name}`);
      return name;
    },
    sql,
    async stop() {
      await stop();
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async destroy() {
      if (running) await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** initdb and pg_ctl from one installation: PATH first, else the newest /usr/lib/postgresql/N/bin. */
function findBinaries(): Binaries | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  const lib = '/usr/lib/postgresql';
  if (existsSync(lib)) {
    const versions = readdirSync(lib).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((version) => join(lib, version, 'bin')));
  }
  for (const dir of dirs) {
    const initdb = join(dir, 'initdb');
    const pgCtl = join(dir, 'pg_ctl');
    if (existsSync(initdb) && existsSync(pgCtl)) return { initdb, pgCtl };
  }
  return undefined;
}

/** As root: the postgres system user if there is one, else nobody (65534); otherwise ourselves. */
function runAs(): RunAs | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? uid };
  try {
    const [, , id, group] = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim().split(':');
    if (id !== undefined && group !== undefined && Number(id) !== 0) return { uid: Number(id), gid: Number(group) };
  } catch {
    // no postgres user: fall back to nobody
  }
  return { uid: 65534, gid: 65534 };
}

function runAsUser(file: string, args: readonly string[], user: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      uid: user.uid,
      gid: user.gid,
      cwd: '/',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${file} ${args.join(' ')} exited with ${code}: ${output.trim()}`)),
    );
  });
}

function writeOwned(path: string, text: string, user: RunAs, mode: number): void {
  writeFileSync(path, text, { mode });
  chownSync(path, user.uid, user.gid);
}

/** A port nothing listens on now (the kernel's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function tlsIdentity(): Promise<{ ca: PemKeyPair; server: PemKeyPair }> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 24 * 3600_000);
  const ca = await createEcCertificate({ profile: 'root-ca', subject: 'CN=multipassd test database CA', notBefore, notAfter });
  const server = await createEcCertificate({
    profile: 'server',
    subject: 'CN=localhost',
    notBefore,
    notAfter,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    issuer: ca,
  });
  return { ca, server };
}

function readIfAny(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
