// Prints the README configuration table generated from src/platform/config-schema.ts.
// Usage: npx tsx scripts/config-doc.ts
import { renderConfigTable } from '../src/platform/config';

process.stdout.write(renderConfigTable());
