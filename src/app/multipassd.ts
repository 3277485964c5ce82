#!/usr/bin/env node
import { Builtins, Cli } from 'clipanion';
import { StartCommand } from './daemon-cli/start-command.js';
import { packageVersion } from './package-version.js';

const cli = new Cli({ binaryLabel: 'Multipass daemon', binaryName: 'multipassd', binaryVersion: packageVersion() });
cli.register(StartCommand);
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
process.exitCode = await cli.run(process.argv.slice(2));
