// Every configuration key is documented in the README: the table there must equal the generated one.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { configRows, renderConfigTable } from '../../src/platform/config';
import { projectPath } from '../../src/platform/paths';
import { configSection } from '../../scripts/readme-config';

describe('README configuration table', () => {
  const readme = readFileSync(projectPath('README.md'), 'utf8');

  it('is the generated table (run `make config-doc` after changing config-schema.ts)', () => {
    assert.equal(configSection(readme), renderConfigTable());
  });

  it('names every environment variable the config reads', () => {
    for (const { entry } of configRows()) assert.ok(readme.includes(`\`${entry.env}\``), entry.env);
  });
});
