// Builds bench/cpp/multipass-like-server.cc (gRPC C-core C++, configured as Multipass's daemon)
// for `npm run bench`, into the run's temp dir, and starts it. Optional: where the toolchain or
// gRPC's C++ packages are missing, the bench says so in its row and goes on.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startAddressPrintingServer, type ComparisonServer } from './address-printing-server.js';

const run = promisify(execFile);
const SOURCE = fileURLToPath(new URL('../../bench/cpp/multipass-like-server.cc', import.meta.url));
const PROTO_DIR = fileURLToPath(new URL('../../src/adapters/rpc/', import.meta.url));

export const CPP_INSTALL_HINT =
  'apt-get install -y g++ pkg-config libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev';

export type CppBuild = { readonly binary: string } | { readonly skipped: string };

/** protoc + grpc_cpp_plugin, then g++ -O2 against pkg-config's grpc++ and protobuf (about 25 s). */
export async function buildCppServer(dir: string): Promise<CppBuild> {
  const out = join(dir, 'cpp-build');
  mkdirSync(out, { recursive: true });
  let flags: string[];
  let plugin: string;
  try {
    flags = (await run('pkg-config', ['--cflags', '--libs', 'grpc++', 'protobuf'])).stdout.trim().split(/\s+/);
    plugin = (await run('sh', ['-c', 'command -v grpc_cpp_plugin'])).stdout.trim();
    await run('sh', ['-c', 'command -v protoc && command -v g++']);
  } catch {
    return { skipped: `skipped (${CPP_INSTALL_HINT})` };
  }
  const binary = join(out, 'multipass-like-server');
  try {
    await run('protoc', ['-I', PROTO_DIR, `--cpp_out=${out}`, `--grpc_out=${out}`, `--plugin=protoc-gen-grpc=${plugin}`, join(PROTO_DIR, 'multipass.proto')]);
    await run('g++', ['-O2', '-std=c++17', `-I${out}`, SOURCE, join(out, 'multipass.pb.cc'), join(out, 'multipass.grpc.pb.cc'), '-o', binary, ...flags], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    console.error(`the C++ server did not build:\n${stderr.slice(0, 4000)}`);
    return { skipped: `skipped (the C++ server did not build, see the bench's output; ${CPP_INSTALL_HINT})` };
  }
  return { binary };
}

/** The built server on `address`, with the daemon's certificate and key, trusting the PEMs of `trustedFile`. */
export function startCppServer(binary: string, address: string, cert: string, key: string, trustedFile: string): Promise<ComparisonServer> {
  return startAddressPrintingServer('gRPC C++ server', binary, [address, cert, key, trustedFile]);
}
