import assert from 'node:assert/strict';
import pino from 'pino';
import { createClientLogger } from '../../src/platform/mq/client-logger';
import type { MqLogger } from '../../src/platform/mq/types';

type Line = { level: string; obj: Record<string, unknown>; msg?: string };

function recorder(): { logger: MqLogger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('mq client logger adapter', () => {
  it('accepts a pino logger structurally', () => {
    const logger: MqLogger = pino({ level: 'silent' });
    createClientLogger(logger).debug('fine %s', 'x'); // debug must exist: Transaction.commit calls it unguarded
  });

  it('formats printf-style arguments and sends the client info chatter to debug', () => {
    const { logger, lines } = recorder();
    const client = createClientLogger(logger);
    client.info('Begin to startup, clientId=%s, topics=%d', 'c1', 2);
    client.debug('x');
    assert.deepEqual(lines.map(l => [l.level, l.msg]), [['debug', 'Begin to startup, clientId=c1, topics=2'], ['debug', 'x']]);
    assert.equal(lines[0].obj.component, 'rocketmq-client');
  });

  it('passes an Error as err', () => {
    const { logger, lines } = recorder();
    const err = new Error('boom');
    createClientLogger(logger).error(err);
    assert.equal(lines[0].obj.err, err);
    assert.equal(lines[0].msg, 'boom');
  });

  it('rate-limits a repeated warn/error template and reports how many were suppressed', () => {
    const { logger, lines } = recorder();
    let t = 0;
    const client = createClientLogger(logger, { repeatWindowMs: 1_000, now: () => t });
    for (let i = 0; i < 5; i++) client.error('Failed to receive messages, topic=%s, error=%s', 'it', `e${i}`);
    client.warn('Heartbeat failed, error=%s', 'down');
    t = 1_500;
    client.error('Failed to receive messages, topic=%s, error=%s', 'it', 'e5');
    assert.deepEqual(lines.map(l => [l.level, l.msg, l.obj.suppressedRepeats]), [
      ['error', 'Failed to receive messages, topic=it, error=e0', undefined],
      ['warn', 'Heartbeat failed, error=down', undefined],
      ['error', 'Failed to receive messages, topic=it, error=e5', 4],
    ]);
  });
});
