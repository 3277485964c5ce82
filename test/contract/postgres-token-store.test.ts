import { usePostgresCluster } from '../support/postgres-cluster.js';
import { tokenStoreOn } from '../support/postgres-harness.js';
import { tokenStoreContract } from './token-store.contract.js';

describe('PostgreSQL token store', () => {
  const cluster = usePostgresCluster();
  tokenStoreContract('PostgresTokenStore', tokenStoreOn(cluster));
});
