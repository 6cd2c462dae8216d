// Every rule family, in the order their findings are gathered. Adding a family
// is adding a file in this folder and a line here.
import type { Rule } from '../diagnose.js';

export const RULES: readonly Rule[] = [];
