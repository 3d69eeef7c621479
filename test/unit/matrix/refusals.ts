import { expect } from 'vitest';
import { SignInError } from '../../../src/matrix/signInErrors';

/** The SignInError a promise rejects with (failing the test if it resolves or rejects otherwise). */
export async function refusal(work: Promise<unknown>): Promise<SignInError> {
  const error = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SignInError);
  return error as SignInError;
}

/** The SignInError a function throws. */
export function refusalOf(work: () => unknown): SignInError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SignInError);
    return error as SignInError;
  }
  throw new Error('expected a SignInError, but nothing was thrown');
}
