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
for (const command of commands) cli.register(command);
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
ignoreClosedReader(process.stdout, process.stderr);
process.exitCode = await runDaemonCli(cli, process.argv.slice(2), commands);
