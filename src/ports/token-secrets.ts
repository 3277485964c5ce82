export const TokenSecrets = Symbol('TokenSecrets');

/** Randomness and hashing for enrolment tokens, which the domain cannot do itself. */
export interface TokenSecrets {
  /** 160 bits from a cryptographically secure generator, as 32 lowercase base32 characters (a-z, 2-7). */
  newSecret(): string;
  /** A short public name: 8 lowercase base32 characters (40 bits) from the same generator. */
  newId(): string;
  /** Lowercase hex SHA-256 of the text's UTF-8 bytes. */
  digest(text: string): string;
}
