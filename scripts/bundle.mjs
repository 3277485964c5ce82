// Bundles the `multipass` CLI (npm run build, after tsc): a fresh Node process per command
// spends most of its time finding, reading and compiling modules, and a bundle has few to load.
// The bundle replaces tsc's dist/src/app/multipass.js, so the bin entry, the tests and every
// `node dist/src/app/multipass.js` in the docs run it; a build with tsc alone leaves the
// unbundled entry there, which behaves the same, only slower to start.
//
// What a command loads on demand (the gRPC client, the certificate code) stays in chunks of
// their own, so that `multipass help` does not read them.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT_DIR = 'dist/src/app';
const CHUNK_DIR = 'multipass-chunks';
// The daemon's chunks sit beside it, so that paths it takes from import.meta.url stay right.
const DAEMON_CHUNK_PREFIX = 'multipassd-chunk-';

// The daemon's packages (native modules, the container, logging): the CLI must never reach
// them, and the build fails if it does.
const DAEMON_ONLY = ['better-sqlite3', 'koffi', 'inversify', 'pino'];
// grpc-js and the .proto parser are the tests' reference client and the bench's comparison
// server: neither program may load them (both speak gRPC over node:http2).
const TESTS_ONLY = ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs'];

/** An esbuild plugin that fails the build when the bundle imports one of `names`. */
function refuse(names, whose) {
  const filter = new RegExp(`^(?:${names.map((name) => name.replace(/[./]/g, '\\$&')).join('|')})(?:/|$)`);
  return {
    name: `refuse-${whose}`,
    setup(builder) {
      builder.onResolve({ filter }, (args) => ({
        errors: [{ text: `'${args.path}' is the ${whose}': this bundle must not import it (from ${args.importer})` }],
      }));
    },
  };
}

// What both bundles share: ES modules for Node 20, with source maps.
const common = {
  absWorkingDir: ROOT,
  outdir: OUT_DIR,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Less to read and parse at every start; names are kept for readable stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // Some packages (clipanion) are CommonJS and require Node's modules; an ES module has no
  // `require` of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
};

rmSync(`${ROOT}${OUT_DIR}/${CHUNK_DIR}`, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { multipass: 'src/app/multipass.ts' },
  chunkNames: `${CHUNK_DIR}/[name]-[hash]`,
  splitting: true,
  plugins: [refuse(DAEMON_ONLY, 'daemon'), refuse(TESTS_ONLY, 'tests')],
});

// The daemon: an entry replacing tsc's dist/src/app/multipassd.js, and its chunks in the same
// folder (so that paths taken from import.meta.url, see package-root.ts, stay right).
// Resolving and reading a few hundred modules was most of its start-up. Native modules stay
// outside, as does the PostgreSQL client (loaded only with `store: postgres`). pino is in:
// the daemon uses no pino transport (the worker threads that locate files of their own), and
// loading its dozen files from node_modules cost more than the bundle's share of them.
for (const name of readdirSync(`${ROOT}${OUT_DIR}`)) {
  if (name.startsWith(DAEMON_CHUNK_PREFIX)) rmSync(`${ROOT}${OUT_DIR}/${name}`);
}
await build({
  ...common,
  entryPoints: { multipassd: 'src/app/multipassd.ts' },
  // What only some commands or some starts need (issuing certificates, the admin client)
  // waits in chunks beside the entry, loaded when first imported.
  splitting: true,
  chunkNames: `${DAEMON_CHUNK_PREFIX}[name]-[hash]`,
  keepNames: true,
  external: ['better-sqlite3', 'koffi', 'pg'],
  plugins: [refuse(TESTS_ONLY, 'tests')],
});
