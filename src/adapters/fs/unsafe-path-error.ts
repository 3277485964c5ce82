/**
 * A path the daemon refuses to use: a symbolic link (or something else) where its own file or
 * directory belongs, or a directory that another user could change. The message is for the
 * admin: it names the path, what is wrong with it and how to fix it.
 */
export class UnsafePathError extends Error {
  override name = 'UnsafePathError';

  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** The refusal for a symbolic link found where one of our files or directories belongs. */
export function symlinkRefusal(path: string): UnsafePathError {
  return new UnsafePathError(
    path,
    `Refusing to use '${path}': it is a symbolic link, and multipassd never follows a link where its own ` +
      'files and directories belong (a planted link would make it write or change files elsewhere). ' +
      'Replace the link with the real file or directory, or remove it to have multipassd make a new one.',
  );
}

/** The refusal for something other than what we keep there (a FIFO, a device, a directory...). */
export function wrongTypeRefusal(path: string, expected: 'regular file' | 'directory' | 'socket', found: string): UnsafePathError {
  return new UnsafePathError(path, `Refusing to use '${path}': it is ${found}, not a ${expected}. Move it aside.`);
}
