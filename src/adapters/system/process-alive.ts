import { errorCode } from '../fs/error-code.js';

/** Whether a process with this pid exists on this host (EPERM: it does, but is someone else's). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}
