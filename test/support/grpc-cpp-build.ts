// Builds a program against gRPC's C-core C++ library (what Multipass's daemon and client are
// made with) and the project's multipass.proto: protoc with grpc_cpp_plugin, then g++ with
// pkg-config's grpc++ and protobuf. Used by the bench (a Multipass-like server to compare
// with) and by a compat test (a Multipass-like client); both skip, saying so, where the
// packages are not installed (CI does not install them).
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './binaries.js';

const run = promisify(execFile);
const PROTO_DIR = join(REPO_ROOT, 'src', 'adapters', 'rpc');

export const CPP_INSTALL_HINT =
  'apt-get install -y g++ pkg-config libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev';

export type CppBuild = { readonly binary: string } | { readonly skipped: string };

/** `source` (a .cc file) built into `dir` as `name`, with multipass.proto's generated code. */
export async function buildGrpcCppProgram(source: string, dir: string, name: string, optimise: '-O0' | '-O2'): Promise<CppBuild> {
  const out = join(dir, `${name}-build`);
  mkdirSync(out, { recursive: true });
  let flags: string[];
  let plugin: string;
  try {
    flags = (await run('pkg-config', ['--cflags', '--libs', 'grpc++', 'protobuf'])).stdout.trim().split(/\s+/);
    plugin = (await run('sh', ['-c', 'command -v grpc_cpp_plugin'])).stdout.trim();
    await run('sh', ['-c', 'command -v protoc && command -v g++']);
  } catch {
    return { skipped: `gRPC's C++ packages are not installed (${CPP_INSTALL_HINT})` };
  }
  const binary = join(out, name);
  try {
    await run('protoc', ['-I', PROTO_DIR, `--cpp_out=${out}`, `--grpc_out=${out}`, `--plugin=protoc-gen-grpc=${plugin}`, join(PROTO_DIR, 'multipass.proto')]);
    await run('g++', [optimise, '-std=c++17', `-I${out}`, source, join(out, 'multipass.pb.cc'), join(out, 'multipass.grpc.pb.cc'), '-o', binary, ...flags], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    console.error(`${name} did not build:\n${stderr.slice(0, 4000)}`);
    return { skipped: `${name} did not build (see above; ${CPP_INSTALL_HINT})` };
  }
  return { binary };
}
