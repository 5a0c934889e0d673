// Prints the README configuration table generated from src/platform/config-schema.ts;
// with --write, replaces the table between the config-table markers in README.md.
// Usage: npx tsx scripts/config-doc.ts [--write]
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigTable } from '../src/platform/config';
import { projectPath } from '../src/platform/paths';
import { replaceConfigSection } from './readme-config';

const table = renderConfigTable();
if (process.argv.includes('--write')) {
  const file = projectPath('README.md');
  writeFileSync(file, replaceConfigSection(readFileSync(file, 'utf8'), table));
  console.log('README.md config table updated');
} else {
  process.stdout.write(table);
}
