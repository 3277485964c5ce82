import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const HOOKS = `
import { appendFileSync } from 'node:fs';
let log;
export async function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, 'import ' + result.url + '\\n');
  return result;
}
`;
// Module loading is seen by the hook (import) and the CommonJS cache (require); file reads by
// wrapping fs, to see that no .proto is read.
const REGISTER = `
import { appendFileSync } from 'node:fs';
import fs from 'node:fs';
import { createRequire, register, syncBuiltinESMExports } from 'node:module';
const log = process.env.IMPORT_LOG;
register('./hooks.mjs', import.meta.url, { data: { log } });
const note = (what, path) => appendFileSync(log, what + ' ' + String(path) + '\\n');
const readFileSync = fs.readFileSync;
fs.readFileSync = function (path, ...rest) { note('read', path); return readFileSync.call(this, path, ...rest); };
const readFile = fs.promises.readFile;
fs.promises.readFile = function (path, ...rest) { note('read', path); return readFile.call(this, path, ...rest); };
syncBuiltinESMExports();
process.on('exit', () => { for (const path of Object.keys(createRequire(import.meta.url).cache)) note('require', path); });
`;

export interface Loaded {
  /** Modules by URL (`file:` or `node:`), imported or required. */
  readonly modules: string[];
  readonly reads: string[];
}

/**
 * Records what a Node process loads: run it with `nodeArgs` before its script and `env` in its
 * environment, then read the record with `loaded()` once it has exited (CommonJS modules are
 * listed at exit). Each call of `loaded()` reads what was recorded since the previous one.
 */
export class ModuleLoadLog {
  private readonly log: string;
  private readonly register: string;

  constructor(dir: string) {
    this.log = join(dir, 'imports.log');
    this.register = join(dir, 'register.mjs');
    writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(this.register, REGISTER);
    writeFileSync(this.log, '');
  }

  get nodeArgs(): string[] {
    return ['--import', this.register];
  }

  get env(): Record<string, string> {
    return { IMPORT_LOG: this.log };
  }

  loaded(): Loaded {
    const lines = readFileSync(this.log, 'utf8').split('\n').filter((line) => line !== '');
    writeFileSync(this.log, '');
    const after = (prefix: string) => lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
    const required = after('require ').map((path) => pathToFileURL(path).href);
    const modules = new Set([...after('import '), ...required].filter((url) => !url.endsWith('/register.mjs')));
    return { modules: [...modules], reads: after('read ') };
  }
}
