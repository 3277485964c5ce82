import { createServer } from 'node:net';

/** Whether this machine can bind IPv6 loopback (a container may have IPv6 off). */
export function canBindIpv6Loopback(): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}
