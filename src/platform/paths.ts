// Locates repository files (protos/, lua/, drizzle/) the same way from src/ (tsx) and dist/src/ (compiled).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

let cached: string | undefined;

/** The nearest ancestor of this module that holds package.json. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`package.json not found above ${__dirname}`);
    dir = up;
  }
}

export function projectPath(...parts: string[]): string {
  return resolve(projectRoot(), ...parts);
}
