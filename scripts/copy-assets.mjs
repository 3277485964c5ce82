// tsc does not copy non-TypeScript files; the daemon and CLI load the .proto at run time.
import { cpSync } from 'node:fs';

cpSync('src/adapters/rpc/multipass.proto', 'dist/src/adapters/rpc/multipass.proto');
