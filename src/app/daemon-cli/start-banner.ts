/** What the start banner says, gathered by the start command (start-command.ts). */
export interface BannerFacts {
  readonly version: string;
  readonly address: string;
  readonly store: string;
  readonly dataDir: string;
  /** How a user runs the CLI here: `multipass`, or `node /path/to/dist/src/app/multipass.js` from a checkout. */
  readonly cli: string;
  /** How an admin runs the admin commands: `multipassd`, `sudo multipassd`, or `node ...` likewise. */
  readonly admin: string;
  /** `MULTIPASS_SERVER_ADDRESS=... MULTIPASS_ROOT_CERT=... ` when the CLI would not find this daemon by itself, else ''. */
  readonly reachVars: string;
  /** The flags that point an admin command at this daemon's store (`--data-dir ...`), or ''. */
  readonly storeFlags: string;
  readonly socket?: SocketFacts;
}

export interface SocketFacts {
  /** A directory above the socket other users cannot pass through: a per-user daemon. */
  readonly closedAncestor?: string | undefined;
  /** Open to everyone (0666): somebody is trusted already. */
  readonly open: boolean;
  /** Who may bootstrap while it is restricted: `root and the group 'sudo'`. */
  readonly restrictedTo: string;
}

const CLIENT_CERT = '~/.local/share/multipass-client-certificate/multipass_cert.pem';

/**
 * Where the daemon listens, who can reach it, and what to do next, as commands a user can paste
 * from another terminal (absolute paths, the variables the CLI needs, sudo where it is needed).
 * Over TCP nothing tells who connects, so nobody is trusted on first use: it says how to trust
 * a client by hand instead of promising bootstrap.
 */
export function startBanner(facts: BannerFacts): string {
  const run = (args: string) => `  ${facts.reachVars}${facts.cli} ${args}`;
  const lines = [`multipassd ${facts.version} is listening on ${facts.address} (store: ${facts.store}, data: ${facts.dataDir})`];
  const socket = facts.socket;
  if (socket === undefined) {
    lines.push(
      'Over TCP nobody is trusted on first use: trust each client by hand. From another terminal, a first',
      "command makes this user's client certificate (and is refused until it is trusted):",
      run('list'),
      `then an admin trusts it (for another user: ~NAME/.local/share/...):`,
      `  ${facts.admin} trust add${facts.storeFlags} ${CLIENT_CERT}`,
      'Other users can also enrol with a passphrase a trusted client sets:',
      run('set local.passphrase'),
      run('authenticate'),
    );
  } else if (socket.closedAncestor !== undefined) {
    lines.push(
      `Only this user can reach it (${socket.closedAncestor} is closed to others): a per-user daemon, for development.`,
      'Try it from another terminal:',
      run('list'),
      'For one that every user shares, run multipassd as root without --per-user, or install the',
      "system service ('multipassd service install').",
    );
  } else {
    lines.push(
      socket.open
        ? 'Trusted clients are served; nobody else is trusted until enrolled. Try it from another terminal:'
        : `Nobody is trusted yet: the first client of ${socket.restrictedTo} is. Try it from another terminal:`,
      run('list'),
      'A trusted client sets the passphrase other users enrol with:',
      run('set local.passphrase'),
      'and each other user runs, once:',
      run('authenticate'),
    );
  }
  lines.push('Stop with Ctrl-C.', '');
  return lines.join('\n');
}

/** A word the shell passes as it is, else in single quotes. */
export const shellWord = (word: string): string => (/^[\w@%+=:,./~-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);
