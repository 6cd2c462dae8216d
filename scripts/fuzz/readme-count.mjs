// Writes the ledger's total into README.md's fuzzing paragraph, so the number
// there is always the one the runs recorded.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './modules.mjs';

const ledger = JSON.parse(readFileSync(join(ROOT, 'scripts', 'fuzz', 'ledger.json'), 'utf8'));
const total = ledger.runs.reduce((a, r) => a + r.cases, 0);
const readme = join(ROOT, 'README.md');
const text = readFileSync(readme, 'utf8');
const line = /Fuzz cases run so far: \*\*[^*]+\*\* over [^ ]+ runs\./;
if (!line.test(text)) {
  console.error('readme-count: the "Fuzz cases run so far" sentence is missing from README.md');
  process.exit(1);
}
writeFileSync(readme, text.replace(line, `Fuzz cases run so far: **${total.toLocaleString('en-US')}** over ${ledger.runs.length} runs.`));
console.log(`README: ${total} cases over ${ledger.runs.length} runs`);
