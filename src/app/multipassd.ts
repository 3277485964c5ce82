#!/usr/bin/env node
import { Builtins, Cli } from 'clipanion';
import { ImportMultipassCommand } from './daemon-cli/import-multipass-command.js';
import { AuditCommand } from './daemon-cli/audit-command.js';
import { DoctorCommand } from './daemon-cli/doctor-command.js';
import { MigrateStoreCommand } from './daemon-cli/migrate-store-command.js';
import { ServiceInstallCommand } from './daemon-cli/service-install-command.js';
import { StartCommand } from './daemon-cli/start-command.js';
import { TrustAddCommand } from './daemon-cli/trust-add-command.js';
import { TrustListCommand } from './daemon-cli/trust-list-command.js';
import { TrustLabelCommand } from './daemon-cli/trust-label-command.js';
import { TrustRemoveCommand } from './daemon-cli/trust-remove-command.js';
import { TrustShowCommand } from './daemon-cli/trust-show-command.js';
import { TrustTokenCommand } from './daemon-cli/trust-token-command.js';
import { TrustTokenListCommand } from './daemon-cli/trust-token-list-command.js';
import { TrustTokenRevokeCommand } from './daemon-cli/trust-token-revoke-command.js';
import { packageVersion } from './package-version.js';
import { ignoreClosedReader } from './closed-reader.js';
import { runDaemonCli } from './daemon-cli/run-daemon-cli.js';

const cli = new Cli({
  binaryLabel: 'Multipass daemon',
  binaryName: 'multipassd',
  binaryVersion: packageVersion(),
  enableColors: process.stdout.isTTY === true,
});
const commands = [
  StartCommand,
  TrustAddCommand,
  TrustListCommand,
  TrustShowCommand,
  TrustRemoveCommand,
  TrustLabelCommand,
  TrustTokenCommand,
  TrustTokenListCommand,
  TrustTokenRevokeCommand,
  AuditCommand,
  DoctorCommand,
  MigrateStoreCommand,
  ImportMultipassCommand,
  ServiceInstallCommand,
];
const argv = process.argv.slice(2);
// Starting the daemon (no command word, no help) needs only its own command: clipanion builds
// its parser from every registered command at each run, which is a share of start-up.
const commandWords = new Set(commands.flatMap((command) => command.paths?.map((path) => path[0]) ?? []));
const startsTheDaemon = !argv.some((arg) => commandWords.has(arg) || arg === 'help' || arg === '-h' || arg === '--help' || arg === '--version');
for (const command of startsTheDaemon ? [StartCommand] : commands) cli.register(command);
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
ignoreClosedReader(process.stdout, process.stderr);
process.exitCode = await runDaemonCli(cli, argv, commands);
