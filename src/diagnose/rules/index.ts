// Every rule family, in the order their findings are gathered. Adding a family
// is adding a file in this folder and a line here.
import type { Rule } from '../diagnose.js';
import { connectionsRule } from './connections.js';
import { deviceRule } from './device.js';
import { discoveryRule } from './discovery.js';
import { downloadsRule } from './downloads.js';
import { expectedRule } from './expected.js';
import { httpErrorsRule } from './http-errors.js';
import { interimRule } from './interim.js';
import { legacyPathRule } from './legacy-path.js';
import { localeRule } from './locale.js';
import { logContradictionsRule } from './log-contradictions.js';
import { requestUrlRule } from './request-url.js';
import { responseFieldsRule } from './response-fields.js';
import { tlsRule } from './tls.js';
import { upxDecodeRule } from './upx-decode.js';

export const RULES: readonly Rule[] = [
  connectionsRule,
  tlsRule,
  requestUrlRule,
  legacyPathRule,
  upxDecodeRule,
  responseFieldsRule,
  deviceRule,
  interimRule,
  localeRule,
  downloadsRule,
  httpErrorsRule,
  discoveryRule,
  // After interim and locale: a check-in they already report is not reported again.
  expectedRule,
  // Only with --audit-log/--iis-log: where the logs and the capture disagree.
  logContradictionsRule,
];
