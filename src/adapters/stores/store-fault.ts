/**
 * The admin's message for a trusted-certificates store whose file exists but cannot be read
 * as one. Such a store is not a fresh install: treating it as one would silently drop every
 * trusted client and let the next caller become the first admin.
 * @param problem what is wrong, after the file name: "is empty", "is not a SQLite database"...
 * @param trustAddHeals whether `multipassd trust add` can write over the damaged file.
 */
export function storeFaultMessage(file: string, problem: string, trustAddHeals: boolean): string {
  const meanwhile = trustAddHeals ? " Meanwhile 'multipassd trust add <cert.pem>' still trusts a client." : '';
  return (
    `The trusted certificates store '${file}' ${problem}: nobody is trusted, and no client will be trusted ` +
    'as the first admin until you either restore the file from a backup, or delete it to start afresh ' +
    `(the next admin-group client is then trusted as on a fresh install).${meanwhile}`
  );
}
