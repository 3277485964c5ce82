/** The errno-style code of a Node error (`ENOENT`, `ELOOP`...), or undefined. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
}
