import { Command, Option, UsageError } from 'clipanion';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../adapters/fs/atomic-write.js';
import { UnsafePathError } from '../../adapters/fs/unsafe-path-error.js';
import { PACKAGE_ROOT } from '../package-root.js';

/** The unit file shipped in the package. */
const UNIT_TEMPLATE = new URL('packaging/systemd/multipassd.service', PACKAGE_ROOT);
const UNIT_PATH = 'etc/systemd/system/multipassd.service';
const UNIT_MODE = 0o644;
const ETC_DIR_MODE = 0o755;
const ENABLE = 'systemctl daemon-reload && systemctl enable --now multipassd';

export class ServiceInstallCommand extends Command {
  static override paths = [['service', 'install']];

  static override usage = Command.Usage({
    category: 'System service',
    description: 'Install the systemd unit that runs multipassd as root with the system locations',
    details: `
      Writes \`<root>/${UNIT_PATH}\` from the unit shipped in the package, with ExecStart set to this node and this
      multipassd (or --node and --bin), then prints the systemctl line that starts it. The service runs that code
      as root: it should be owned by root and writable by no one else (a warning says when it is not).
    `,
    examples: [
      ['Install the service', '$0 service install'],
      ['Show the unit without writing it', '$0 service install --dry-run'],
      ['Install into a staging root', '$0 service install --root /tmp/image'],
    ],
  });

  root = Option.String('--root', '/', { description: 'Write under this directory instead of / (packaging, tests)' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Print the unit instead of writing it' });
  bin = Option.String('--bin', { description: 'The multipassd to run (default: this one, as invoked)' });
  node = Option.String('--node', { description: 'The node to run it with (default: this one)' });

  async execute(): Promise<number> {
    // argv[1] as invoked, not its real path: a global install's bin link survives upgrades.
    const bin = resolve(this.bin ?? process.argv[1] ?? '');
    const node = resolve(this.node ?? process.execPath);
    const target = join(resolve(this.root), UNIT_PATH);
    if (this.root === '/' || resolve(this.root) === '/') {
      for (const path of [node, bin]) if (!existsSync(path)) throw new UsageError(`'${path}' does not exist: the service could not start it`);
    }
    const unit = withExecStart(await readFile(UNIT_TEMPLATE, 'utf8'), [node, bin]);
    if (this.dryRun) {
      this.context.stdout.write(unit);
      this.context.stderr.write(`(dry run: ${target} not written)\n`);
      return 0;
    }
    for (const path of [node, bin]) {
      const problem = existsSync(path) ? unsafeOwner(path) : undefined;
      if (problem !== undefined) this.context.stderr.write(`warning: ${problem}: whoever can change it can run code as root through the service\n`);
    }
    try {
      await writeFileAtomic(target, unit, UNIT_MODE, { dirMode: ETC_DIR_MODE });
    } catch (error) {
      if (error instanceof UnsafePathError || isFileSystemError(error)) {
        this.context.stderr.write(`multipassd: cannot write '${target}': ${(error as Error).message}\n`);
        return 1;
      }
      throw error;
    }
    this.context.stdout.write(`Wrote ${target} (ExecStart=${execStart([node, bin])}).\nStart it now and at every boot:\n  ${ENABLE}\n`);
    return 0;
  }
}

/** Replaces the template's one ExecStart line. */
export function withExecStart(template: string, command: readonly string[]): string {
  const lines = template.split('\n');
  const at = lines.flatMap((line, index) => (line.startsWith('ExecStart=') ? [index] : []));
  if (at.length !== 1) throw new Error(`the unit template has ${at.length} ExecStart lines, not one`);
  lines[at[0]!] = `ExecStart=${execStart(command)}`;
  return lines.join('\n');
}

/** systemd's command-line syntax: quotes around words with spaces or quotes; `%` (specifiers) and `$` (variables) doubled. */
function execStart(command: readonly string[]): string {
  return command
    .map((word) => word.replaceAll('%', '%%').replaceAll('$', () => '$$'))
    .map((word) => (/^[\w/.+:@=,-]+$/.test(word) ? word : `"${word.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`))
    .join(' ');
}

/** The first directory on the way to `path`'s real location (or the file itself) that is not root's alone. */
function unsafeOwner(path: string): string | undefined {
  const real = realpathSync(path);
  const chain: string[] = [];
  for (let at = real; ; at = dirname(at)) {
    chain.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const at of chain) {
    const stats = statSync(at);
    const sharedSticky = (stats.mode & 0o1000) !== 0 && stats.uid === 0;
    if (stats.uid !== 0) return `'${at}' is owned by uid ${stats.uid}`;
    if ((stats.mode & 0o022) !== 0 && !sharedSticky) return `'${at}' is writable by others (mode ${(stats.mode & 0o7777).toString(8)})`;
  }
  return undefined;
}

function isFileSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && 'syscall' in error;
}
