import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Whether tmux is installed (.ci/run installs it; a developer machine may lack it). */
export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V']).status === 0;
}

/**
 * A real pseudo-terminal: tmux runs the command, `type` sends keystrokes, `screen` reads
 * what a person would see. Each terminal has its own tmux server socket in a temp dir.
 */
export class TmuxTerminal {
  private readonly socket: string;
  private readonly session = 'mpa';

  constructor(dir: string, command: string, env: Record<string, string>) {
    this.socket = join(dir, 'tmux.sock');
    const exports = Object.entries(env).map(([key, value]) => `export ${key}=${shellQuote(value)};`).join(' ');
    // The shell stays after the command so that its output and exit code can be read.
    const script = `${exports} ${command}; echo "[exit $?]"; sleep 600`;
    this.tmux('new-session', '-d', '-s', this.session, '-x', '160', '-y', '40', 'sh', '-c', script);
  }

  type(text: string): void {
    this.tmux('send-keys', '-t', this.session, '-l', text);
  }

  enter(): void {
    this.tmux('send-keys', '-t', this.session, 'Enter');
  }

  /** Presses a key by its tmux name, e.g. `C-c` for Ctrl-C. */
  press(key: string): void {
    this.tmux('send-keys', '-t', this.session, key);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.session);
  }

  /** Polls the screen until `pattern` shows, or fails with what the screen showed. */
  async waitFor(pattern: RegExp, timeoutMs = 15000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server']);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
