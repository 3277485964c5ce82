// tsc does not copy non-TypeScript files; the daemon and CLI load the .proto files at run time.
import { cpSync } from 'node:fs';

for (const proto of ['multipass.proto', 'multipassd.proto']) cpSync(`src/adapters/rpc/${proto}`, `dist/src/adapters/rpc/${proto}`);
