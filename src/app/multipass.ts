#!/usr/bin/env node
import { runMultipass } from './cli.js';

// exitCode, not exit(): let stdout and stderr drain before the process ends.
process.exitCode = await runMultipass(process.argv.slice(2));
