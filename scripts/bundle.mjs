// Bundles the `multipass` CLI (npm run build, after tsc): a fresh Node process per command
// spends most of its time finding, reading and compiling modules, and a bundle has few to load.
// The bundle replaces tsc's dist/src/app/multipass.js, so the bin entry, the tests and every
// `node dist/src/app/multipass.js` in the docs run it; a build with tsc alone leaves the
// unbundled entry there, which behaves the same, only slower to start.
//
// What a command loads on demand (the gRPC client, the certificate code) stays in chunks of
// their own, so that `multipass help` does not read them.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT_DIR = 'dist/src/app';
const CHUNK_DIR = 'multipass-chunks';

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

// The daemon: one file replacing tsc's dist/src/app/multipassd.js (so that paths taken from
// import.meta.url, see package-root.ts, stay right), without chunks. Resolving and reading
// a few hundred modules was most of its start-up. Native modules stay outside, as do the
// PostgreSQL client (loaded only with `store: postgres`) and pino (its worker-thread
// transports locate files of their own).
await build({
  ...common,
  entryPoints: { multipassd: 'src/app/multipassd.ts' },
  keepNames: true,
  external: ['better-sqlite3', 'koffi', 'pg', 'pino'],
  plugins: [refuse(TESTS_ONLY, 'tests')],
});
