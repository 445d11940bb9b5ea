/**
 * Writes src/main/engine/classify/rule-words.ts: the scan words of every wording rule, derived
 * from the rules' patterns by scanWords (literals.ts). Derived ahead of time because the analysis
 * costs more at start-up than it saves on a run of thousands of texts; scan.test.ts fails when
 * the file is stale.
 *   npx tsx tests/engine/classify/rule-words.gen.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleWordsSource } from './rule-words-source';

writeFileSync(join(__dirname, '../../../src/main/engine/classify/rule-words.ts'), ruleWordsSource());
