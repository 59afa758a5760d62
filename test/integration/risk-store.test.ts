import { riskStoreContract } from '../contracts/risk-store-contract.js';
import { onSqlBackends } from '../helpers/sql-store-targets.js';

// The risk register, forensics captures and the rollback reaction's work list on both
// backends: a SQLite file per test and a real PostgreSQL started for this file.
onSqlBackends(riskStoreContract);
