// POST /api/session: a new anonymous buyer. The token goes back in the body (API clients send it as
// `Authorization: Bearer`) and as an HttpOnly, SameSite=Strict cookie (the page never handles it).
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE, type SessionCodec } from '../session';

export function registerSessionRoutes(app: FastifyInstance, sessions: SessionCodec, ttlMs: number): void {
  app.post('/api/session', async (req, reply) => {
    const s = sessions.issue();
    const secure = req.protocol === 'https' ? '; Secure' : '';
    reply.header('set-cookie', `${SESSION_COOKIE}=${s.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor(ttlMs / 1000)}${secure}`);
    return reply.code(201).send({ token: s.token, userId: s.userId, expiresAt: s.expiresAt.toISOString() });
  });
}
