// `posgate verify` on SQLite: the suite is in verify.cases.ts.
import { runVerifyCliSuite } from './verify.cases.js';

runVerifyCliSuite();
