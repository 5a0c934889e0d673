// drizzle-kit: `npx drizzle-kit generate --name <change>` writes SQL migrations to drizzle/ from the
// schema files below, without a database. They are applied by migrate() in src/platform/db.ts.
// Shared tables live in src/db/schema.ts; a service that owns tables keeps them in
// src/services/<name>/schema.ts. One linear migration history covers both.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'mysql',
  schema: ['./src/db/schema.ts', './src/services/*/schema.ts'],
  out: './drizzle',
});
