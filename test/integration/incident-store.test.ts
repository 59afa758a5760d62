import { incidentStoreContract } from '../contracts/incident-store-contract.js';
import { onSqlBackends } from '../helpers/sql-store-targets.js';

// Incidents, cancelled messages and disabled channels on both backends: a SQLite file per
// test and a real PostgreSQL started for this file (a database per test).
onSqlBackends(incidentStoreContract);
