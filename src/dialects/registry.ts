// The API surfaces posgate serves. Adding a provider's API is its folder beside these and one line
// here; nothing else names a dialect (docs/architecture.md shows the contract).
import { centrapay } from './centrapay/index.js';
import { cliq } from './cliq/index.js';
import type { Dialect } from './dialect.js';
import { kowri } from './kowri/index.js';
import { kpay } from './kpay/index.js';
import { mobilepay } from './mobilepay/index.js';
import { native } from './native/index.js';

// in the order of `posgate credentials --json` (specs/dialects.md, Conventions)
export const DIALECTS: readonly Dialect[] = [
  native,
  kpay,
  kowri,
  centrapay,
  cliq,
  mobilepay,
];
