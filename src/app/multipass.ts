#!/usr/bin/env node
import { runMultipass } from './cli.js';
import { ignoreClosedReader } from './closed-reader.js';

ignoreClosedReader(process.stdout, process.stderr);
// exitCode, not exit(): let stdout and stderr drain before the process ends.
process.exitCode = await runMultipass(process.argv.slice(2));
