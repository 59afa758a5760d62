import { tokenStoreContract } from '../contracts/token-store-contract.js';
import { onSqlBackends } from '../helpers/sql-store-targets.js';

// API tokens (migration 5) on both backends: a SQLite file per test and a real
// PostgreSQL started for this file (a database per test).
onSqlBackends(tokenStoreContract);
