import { join } from 'node:path';

/** The audit log (JSON lines; rotated files beside it: audit.log.1, .2 ...), for every store kind. */
export const auditLogPath = (dataDir: string): string => join(dataDir, 'audit.log');
/** Enrolment tokens (hashes only) with the PEM store; the SQLite and PostgreSQL stores keep them in their tables. */
export const tokenFilePath = (dataDir: string): string => join(dataDir, 'enrolment-tokens.json');
/** With the PostgreSQL store: this host's copy of the trusted fingerprints, for a start while the database is unreachable. */
export const postgresLastCopyPath = (dataDir: string): string => join(dataDir, 'postgres-last-copy.json');
