// The browser pages under web/ (no build step): "/" → web/sale/index.html, "/dashboard" →
// web/dashboard/index.html, "/static/<path>" → web/<path>. A path may never leave web/: ".." and NUL are
// refused, the resolved real path (after symlinks) must still be inside the real web root, and only
// regular files with a known type are served.
import { realpath, readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { notFound } from './http-errors';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** The absolute file for a request path relative to `root`, or undefined when it is not servable. */
export async function resolveStatic(root: string, relative: string): Promise<string | undefined> {
  if (relative.includes('\0') || relative.split(/[\\/]/).includes('..')) return undefined;
  if (!(extname(relative).toLowerCase() in TYPES)) return undefined;
  const realRoot = await realpath(root).catch(() => undefined);
  if (!realRoot) return undefined;
  const candidate = resolve(realRoot, relative.replace(/^[\\/]+/, ''));
  if (!candidate.startsWith(realRoot + sep)) return undefined;
  const real = await realpath(candidate).catch(() => undefined);
  if (!real || !real.startsWith(realRoot + sep)) return undefined;
  const info = await stat(real).catch(() => undefined);
  if (!info?.isFile() || info.size > MAX_FILE_BYTES) return undefined;
  return real;
}

async function send(reply: FastifyReply, root: string, relative: string): Promise<FastifyReply> {
  const file = await resolveStatic(root, relative);
  if (!file) throw notFound('no such file');
  const body = await readFile(file);
  return reply
    .type(TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .send(body);
}

export function registerStaticRoutes(app: FastifyInstance, webRoot: string): void {
  app.get('/', (_req, reply) => send(reply, webRoot, 'sale/index.html'));
  app.get('/dashboard', (_req, reply) => send(reply, webRoot, 'dashboard/index.html'));
  app.get<{ Params: { '*': string } }>('/static/*', (req, reply) => send(reply, webRoot, req.params['*']));
}
