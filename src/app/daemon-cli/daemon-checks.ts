import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DoctorReport, octalMode, shortTime } from '../../adapters/cli/doctor-report.js';
import { ScryptPassphraseHasher } from '../../adapters/crypto/scrypt-passphrase-hasher.js';
import { requireTrustedDirectory } from '../../adapters/fs/trusted-directory.js';
import { RpcFailure } from '../../adapters/rpc/multipass-client.js';
import { isProcessAlive } from '../../adapters/system/process-alive.js';
import { accountEntry } from '../../adapters/system/getent.js';
import { resolveAdminGroup } from '../../adapters/transports/unix-group.js';
import { PassphraseVault } from '../../domain/passphrase-vault.js';
import type { DaemonConfig } from '../config/daemon-config.js';
import { daemonIdentityPaths } from '../paths.js';
import { withStores } from '../store-session.js';
import { otherStoreHolding, storeSwitchProblem } from '../store-switch.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const SOON_MS = 60 * DAY_MS;

/** The directories the daemon refuses to start with (StrictModes), checked without creating anything. */
export function checkDirectories(report: DoctorReport, config: DaemonConfig): boolean {
  if (!existsSync(config.dataDir)) {
    report.problem(`The data directory '${config.dataDir}' does not exist: multipassd has never started with it.`, 'Start it: systemctl start multipassd (or run multipassd).');
    return false;
  }
  const dirs: Array<[string, string, string]> = [[config.dataDir, 'the data directory', '--data-dir']];
  if (config.address.startsWith('unix:')) dirs.push([dirname(config.address.slice(5)), "the socket's directory", '--address']);
  let safe = true;
  for (const [dir, name, option] of dirs) {
    try {
      if (existsSync(dir)) requireTrustedDirectory(dir, { name, option });
    } catch (error) {
      report.problem((error as Error).message);
      safe = false;
    }
  }
  if (safe) report.ok(`The data directory ${config.dataDir} is safe (owned by root or the daemon's user, writable by nobody else).`);
  return safe;
}

/** Whether a daemon holds this data dir's instance lock (its pid is in the file while it does). */
export function lockHolder(config: DaemonConfig): number | undefined {
  try {
    const pid = Number(readFileSync(join(config.dataDir, 'multipassd.lock'), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 && isProcessAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the daemon answers on its admin channel: true when it runs and lets us in. */
export async function checkDaemon(report: DoctorReport, config: DaemonConfig): Promise<boolean> {
  const pid = lockHolder(config);
  const held = pid === undefined ? '' : ` (pid ${pid} holds the data directory)`;
  const socket = config.address.startsWith('unix:') ? config.address.slice(5) : undefined;
  if (socket !== undefined && !existsSync(socket)) {
    report.problem(`multipassd is not running on ${config.address}: there is no socket${held}.`, 'Start it: systemctl start multipassd (or run multipassd).');
    return false;
  }
  let rootCertPem: string;
  try {
    rootCertPem = await readFile(daemonIdentityPaths(config).rootCert, 'utf8');
  } catch (error) {
    report.problem(`Cannot read the daemon's root certificate: ${(error as Error).message}.`);
    return false;
  }
  const { connectTrustAdmin } = await import('../../adapters/rpc/trust-admin-client.js');
  const client = await connectTrustAdmin({ address: config.address, rootCertPem });
  try {
    const { records } = await client.list();
    report.ok(`multipassd answers on ${config.address}${held}: ${records.length} trusted certificate(s).`);
    return true;
  } catch (error) {
    if (!(error instanceof RpcFailure)) throw error;
    if (error.connection === 'cannot-connect') {
      report.problem(`Nothing answers on ${config.address}${held}: multipassd is not running.`, 'Start it: systemctl start multipassd (or run multipassd).');
    } else if (error.status === 'PERMISSION_DENIED' || error.connection === 'access-denied') {
      report.note(`multipassd${held} runs on ${config.address}, but does not let this user administer it: ${error.details}`);
    } else {
      report.problem(`multipassd on ${config.address}${held} fails: ${error.details}`);
    }
    return false;
  } finally {
    client.close();
  }
}

/** Store health, a store switched without migrate-store, the passphrase and tokens: whether anyone can get in. */
export async function checkStores(report: DoctorReport, config: DaemonConfig): Promise<number | undefined> {
  const found = await withStores(config, async ({ certs, settings, tokens }) => {
    const vault = new PassphraseVault(settings, new ScryptPassphraseHasher());
    return {
      fault: certs.fault(),
      trusted: certs.size(),
      passphrase: await vault.isSet(),
      passphraseProblem: await vault.health(),
      activeTokens: (await tokens.list()).filter((view) => view.state === 'active').length,
    };
  });
  if (found.fault !== undefined) {
    report.problem(found.fault);
    return undefined;
  }
  const other = found.trusted === 0 ? await otherStoreHolding(config) : undefined;
  if (other !== undefined) report.problem(storeSwitchProblem(config, other));
  else report.ok(`The ${config.store} store is readable: ${found.trusted} trusted certificate(s).`);
  if (found.passphraseProblem !== undefined) report.problem(found.passphraseProblem);
  const tokens = found.activeTokens === 0 ? 'no enrolment token is active' : `${found.activeTokens} enrolment token(s) active`;
  if (found.passphrase || found.activeTokens > 0) {
    report.ok(`${found.passphrase ? 'A passphrase is set' : 'No passphrase is set'}; ${tokens}: users can enrol ('multipass authenticate').`);
  } else {
    report.note(
      `No passphrase is set and ${tokens}: users who are not trusted cannot enrol (Multipass's issue #2552).`,
      "Trust them with 'multipassd trust add <their multipass_cert.pem>', give them a one-time token",
      "('multipassd trust token'), or set a passphrase ('multipass set local.passphrase' from a trusted client).",
    );
  }
  return found.trusted;
}

/** The daemon's root CA and server certificate: present, and not expiring within 60 days. */
export function checkIdentity(report: DoctorReport, config: DaemonConfig, now = Date.now()): void {
  const paths = daemonIdentityPaths(config);
  for (const [name, path, renewed] of [
    ["The daemon's root CA", paths.rootCert, false],
    ["The daemon's server certificate", paths.serverCert, true],
  ] as const) {
    let notAfter: Date;
    try {
      notAfter = new Date(new X509Certificate(readFileSync(path)).validTo);
    } catch (error) {
      report.problem(`${name} '${path}' cannot be read: ${(error as Error).message}. multipassd makes it at its first start.`);
      continue;
    }
    const left = notAfter.getTime() - now;
    if (left < 0) report.problem(`${name} '${path}' expired on ${shortTime(notAfter)}: clients refuse the daemon.`, renewed ? 'Restart multipassd: it issues a new one at start.' : 'Remove the certificate directory and restart multipassd to make a new identity (every client must then be given the new root CA).');
    else if (left < SOON_MS) report.problem(`${name} '${path}' expires on ${shortTime(notAfter)}, within 60 days.`, renewed ? 'multipassd renews it 60 days before it expires, at start or while running: restart it, and check its log if this stays.' : 'Plan a new identity before then.');
    else report.ok(`${name} is valid until ${shortTime(notAfter)}.`);
  }
}

/** Whether the socket's mode and group match the store: restricted while nobody is trusted, open once someone is. */
export async function checkSocketMode(report: DoctorReport, config: DaemonConfig, trusted: number): Promise<void> {
  if (!config.address.startsWith('unix:')) return;
  const path = config.address.slice(5);
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return;
  }
  const mode = stats.mode & 0o777;
  const group = (await accountEntry('group', String(stats.gid)))?.[0] ?? `gid ${stats.gid}`;
  const admin = await resolveAdminGroup(config.socketGroup).catch(() => undefined);
  const described = `The socket ${path} is mode ${octalMode(stats.mode)}, group ${group}`;
  if (trusted > 0 && mode !== 0o666) {
    report.problem(`${described}, though ${trusted} certificate(s) are trusted: users outside the group cannot reach it.`, 'multipassd opens it within two seconds of someone being trusted: is it running with this data directory and store?');
  } else if (trusted === 0 && mode === 0o666) {
    report.problem(`${described}, though nobody is trusted: multipassd restricts it while the store is empty.`, 'Is it running with this data directory and store?');
  } else if (mode === 0o660 && admin !== undefined && stats.gid !== admin.gid) {
    report.problem(`${described}, not the admin group '${admin.name}': members of '${admin.name}' cannot bootstrap.`);
  } else {
    report.ok(`${described}: ${mode === 0o666 ? 'open to all users (someone is trusted)' : `restricted to root and the group '${group}' (nobody is trusted yet)`}.`);
  }
}
