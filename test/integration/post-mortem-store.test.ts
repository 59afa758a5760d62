import { postMortemStoreContract } from '../contracts/post-mortem-store-contract.js';
import { onSqlBackends } from '../helpers/sql-store-targets.js';

// Post-mortems and action items on both backends: a SQLite file per test and a real
// PostgreSQL started for this file (a database per test).
onSqlBackends(postMortemStoreContract);
