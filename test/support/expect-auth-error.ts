import { expect } from 'chai';
import { AuthError, type AuthErrorCode } from '../../src/domain/auth-error.js';

/** Resolves with the AuthError `promise` rejects with, after checking its code; fails the test otherwise. */
export async function expectAuthError(promise: Promise<unknown>, code: AuthErrorCode): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    expect(AuthError.is(error), String(error)).to.equal(true);
    expect((error as AuthError).code).to.equal(code);
    return error as AuthError;
  }
  expect.fail(`expected an AuthError '${code}'`);
}
