import { usePostgresCluster } from '../support/postgres-cluster.js';
import { certStoreOn } from '../support/postgres-harness.js';
import { certStoreContract } from './cert-store.contract.js';

describe('PostgreSQL cert store', () => {
  const cluster = usePostgresCluster();
  const makeHarness = certStoreOn(cluster);
  certStoreContract('PostgresCertStore', makeHarness);
});
