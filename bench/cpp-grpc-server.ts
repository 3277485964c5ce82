// Builds bench/cpp/multipass-like-server.cc (gRPC C-core C++, configured as Multipass's daemon)
// for `npm run bench`, into the run's temp dir, and starts it. Optional: where the toolchain or
// gRPC's C++ packages are missing, the bench says so in its row and goes on.
import { fileURLToPath } from 'node:url';
import { buildGrpcCppProgram, type CppBuild } from '../test/support/grpc-cpp-build.js';
import { startAddressPrintingServer, type ComparisonServer } from './address-printing-server.js';

export type { CppBuild } from '../test/support/grpc-cpp-build.js';

const SOURCE = fileURLToPath(new URL('../../bench/cpp/multipass-like-server.cc', import.meta.url));

/** protoc + grpc_cpp_plugin, then g++ -O2 against pkg-config's grpc++ and protobuf (about 25 s). */
export async function buildCppServer(dir: string): Promise<CppBuild> {
  const build = await buildGrpcCppProgram(SOURCE, dir, 'multipass-like-server', '-O2');
  return 'skipped' in build ? { skipped: `skipped (${build.skipped})` } : build;
}

/** The built server on `address`, with the daemon's certificate and key, trusting the PEMs of `trustedFile`. */
export function startCppServer(binary: string, address: string, cert: string, key: string, trustedFile: string): Promise<ComparisonServer> {
  return startAddressPrintingServer('gRPC C++ server', binary, [address, cert, key, trustedFile]);
}
