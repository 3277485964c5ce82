import { InMemoryAuditLog } from '../../src/adapters/audit/in-memory-audit-log.js';
import { auditLogContract } from './audit-log.contract.js';

auditLogContract('InMemoryAuditLog', async () => {
  const log = new InMemoryAuditLog();
  return { create: async () => log, reopen: async () => log, dispose: async () => undefined };
});
