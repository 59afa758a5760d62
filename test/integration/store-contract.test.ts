import { storeContract } from '../contracts/store-contract.js';
import { onSqlBackends } from '../helpers/sql-store-targets.js';

// The same contract on both backends: SQLite (a temporary file per test) and a real
// PostgreSQL started for this file (a database per test).
onSqlBackends(storeContract);
