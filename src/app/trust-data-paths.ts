import { join } from 'node:path';

/** The audit log (JSON lines; rotated files beside it: audit.log.1, .2 ...), for either store kind. */
export const auditLogPath = (dataDir: string): string => join(dataDir, 'audit.log');
/** Enrolment tokens (hashes only) with the PEM store; the SQLite store keeps them in multipassd.db. */
export const tokenFilePath = (dataDir: string): string => join(dataDir, 'enrolment-tokens.json');
