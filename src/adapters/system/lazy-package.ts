import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A CommonJS package loaded at its first use rather than at start: the daemon's bundle would
 * otherwise load the SQLite native module and the PostgreSQL client whatever store it runs.
 */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(name) as T);
}
