import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { ensureDirSync } from './atomic-write.js';
import { kindOf, lstatIfPresent } from './no-follow.js';
import { symlinkRefusal, UnsafePathError, wrongTypeRefusal } from './unsafe-path-error.js';

/** Which directory a refusal is about, and the option that picks another one. */
export interface DirectoryRole {
  /** "the data directory" */
  readonly name: string;
  /** "--data-dir" */
  readonly option: string;
}

// Linux's limit (MAXSYMLINKS): past it the kernel itself answers ELOOP.
const MAX_LINKS = 40;
const GROUP_OTHER_WRITE = 0o022;
const STICKY = 0o1000;

/**
 * OpenSSH's StrictModes for a directory the daemon keeps its files in, since whoever can
 * change a directory can swap what is in it for a link to a file of their choosing:
 * - the directory itself is a real directory (not a link), owned by the daemon's user or
 *   root, and writable by no one else;
 * - every directory passed through from `/` (links followed as the kernel follows them, each
 *   link owned by root or the daemon's user) is owned by root or the daemon's user and either
 *   writable by no one else or sticky and owned by root, like /tmp: others may add names there
 *   but not replace ours.
 * A daemon run by another user trusts that user as well as root, so a developer's directory
 * under their home passes. Not checked on Windows, which has neither uids nor these modes.
 * @throws UnsafePathError naming the offending path, its owner or mode, and the fix.
 */
export function requireTrustedDirectory(dir: string, role: DirectoryRole): void {
  const uid = daemonUid();
  if (uid !== undefined) walk(dir, { role, subject: dir, uid, leaf: true });
}

/**
 * Creates `dir` if missing (missing parents too, each with `mode`, never through a link),
 * then requires it to be trusted. What exists is checked before anything is created in it.
 */
export function ensureTrustedDirectory(dir: string, mode: number, role: DirectoryRole): void {
  const uid = daemonUid();
  if (uid !== undefined) {
    let existing = dir;
    while (lstatIfPresent(existing) === undefined && dirname(existing) !== existing) existing = dirname(existing);
    if (existing !== dir) walk(existing, { role, subject: dir, uid, leaf: false });
  }
  ensureDirSync(dir, mode);
  requireTrustedDirectory(dir, role);
}

interface Check {
  readonly role: DirectoryRole;
  /** The directory the admin named, for the message. */
  readonly subject: string;
  readonly uid: number;
  /** Whether `path` is the directory itself (stricter) or a parent of one to be created. */
  readonly leaf: boolean;
}

/** Resolves `path` one component at a time, checking every directory and link it passes. */
function walk(path: string, check: Check): void {
  const absolute = isAbsolute(path) ? path : `${process.cwd()}/${path}`;
  const pending = absolute.split('/').filter((name) => name !== '' && name !== '.');
  let current = '/';
  requireTrustedStep(current, lstatSync(current), check);
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '..') {
      current = dirname(current);
      continue;
    }
    const next = current === '/' ? `/${name}` : `${current}/${name}`;
    const stats = lstatSync(next);
    if (stats.isSymbolicLink()) {
      // Once a link is expanded, the original last name is still pending behind its target.
      if (check.leaf && pending.length === 0) throw symlinkRefusal(next);
      if (!trustedOwner(stats.uid, check.uid)) {
        throw refusal(check, next, `is a symbolic link owned by uid ${stats.uid}`, `chown -h root '${next}'`);
      }
      links += 1;
      if (links > MAX_LINKS) throw refusal(check, next, 'leads through too many symbolic links', 'shorten the chain of links');
      const target = readlinkSync(next);
      if (isAbsolute(target)) current = '/';
      pending.unshift(...target.split('/').filter((part) => part !== '' && part !== '.'));
      continue;
    }
    if (!stats.isDirectory()) throw wrongTypeRefusal(next, 'directory', kindOf(stats));
    requireTrustedStep(next, stats, check);
    current = next;
  }
  if (check.leaf) requireTrustedLeaf(current, lstatSync(current), check);
}

function requireTrustedStep(path: string, stats: Stats, check: Check): void {
  if (!trustedOwner(stats.uid, check.uid)) {
    throw refusal(check, path, `is owned by uid ${stats.uid}`, `chown ${check.uid === 0 ? 'root' : check.uid} '${path}'`);
  }
  const shared = (stats.mode & STICKY) !== 0 && stats.uid === 0;
  if ((stats.mode & GROUP_OTHER_WRITE) !== 0 && !shared) throw writableRefusal(check, path, stats);
}

/** No sticky exception here: every name in the directory itself is one of ours. */
function requireTrustedLeaf(path: string, stats: Stats, check: Check): void {
  if ((stats.mode & GROUP_OTHER_WRITE) !== 0) throw writableRefusal(check, path, stats);
}

function writableRefusal(check: Check, path: string, stats: Stats): UnsafePathError {
  const who = [stats.mode & 0o020 ? 'its group' : '', stats.mode & 0o002 ? 'all users' : ''].filter(Boolean).join(' and ');
  const mode = (stats.mode & 0o7777).toString(8).padStart(4, '0');
  return refusal(check, path, `is writable by ${who} (mode ${mode}, owner uid ${stats.uid})`, `chmod go-w '${path}'`);
}

function refusal(check: Check, path: string, problem: string, fix: string): UnsafePathError {
  const where = path === check.subject ? 'it' : `'${path}'`;
  return new UnsafePathError(
    path,
    `Refusing to use ${check.role.name} '${check.subject}': ${where} ${problem}, so another user could replace ` +
      `the files multipassd keeps there. Fix: ${fix}, or choose another directory with ${check.role.option}.`,
  );
}

function trustedOwner(owner: number, uid: number): boolean {
  return owner === 0 || owner === uid;
}

function daemonUid(): number | undefined {
  return process.platform === 'win32' ? undefined : process.geteuid?.();
}
