// The bench's comparison servers (bare grpc-js, gRPC C++) print their bound address on their
// first line once listening; this spawns one and waits for that line.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ComparisonServer {
  readonly child: ChildProcess;
  /** `unix:/path` or `127.0.0.1:port`, as the server printed it. */
  readonly address: string;
}

export async function startAddressPrintingServer(name: string, command: string, args: readonly string[]): Promise<ComparisonServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the ${name} exited (${code})`)));
  });
  return { child, address };
}
