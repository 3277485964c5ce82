import { userInfo } from 'node:os';
import type { AuditPeer } from '../../domain/audit-event.js';

/**
 * Who is running an admin command, for the audit log and for the records of certificates it
 * trusts: the process's user and, under sudo, the user who ran sudo (as sudo reports it).
 */
export function adminActor(env: NodeJS.ProcessEnv = process.env): AuditPeer {
  const uid = process.getuid?.();
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = undefined; // no passwd entry for this uid
  }
  const sudoUser = env.SUDO_USER;
  return {
    ...(uid === undefined ? {} : { uid }),
    ...(user === undefined ? {} : { user }),
    ...(sudoUser === undefined || sudoUser === '' ? {} : { sudoUser }),
  };
}

/** The one line an admin command prints when its change was made but could not be audited. */
export function auditWarning(problem: string | undefined): string {
  return problem === undefined ? '' : `multipassd: warning: the change was made, but ${problem}\n`;
}
