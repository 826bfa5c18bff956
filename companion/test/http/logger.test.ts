import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logger.js';

function loggedLines() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

describe('the service log', () => {
  it('blanks secrets at the top of a line and inside the objects the service logs', () => {
    const { logger, lines } = loggedLines();
    const err = Object.assign(new Error('Salesforce refused the call'), {
      headers: { authorization: 'Bearer 00Dsecret-session' },
    });
    logger.warn({ err, apiKey: 'top-secret-key' }, 'a call failed');
    logger.info({ config: { apiKey: 'config-secret-key', port: 3000 } }, 'started');
    logger.info({ req: { headers: { authorization: 'Bearer caller-secret' } } }, 'request');

    const text = lines.join('');
    for (const secret of ['00Dsecret-session', 'top-secret-key', 'config-secret-key', 'caller-secret'])
      expect(text).not.toContain(secret);
    const [failed, started, request] = lines.map(
      (line) =>
        JSON.parse(line) as {
          apiKey?: string;
          err?: { message: string; headers: { authorization: string } };
          config?: object;
          req?: { headers: { authorization: string } };
        },
    );
    expect(failed!.apiKey).toBe('[redacted]');
    expect(failed!.err!.headers.authorization).toBe('[redacted]');
    expect(failed!.err!.message).toBe('Salesforce refused the call');
    expect(started!.config).toEqual({ apiKey: '[redacted]', port: 3000 });
    expect(request!.req!.headers.authorization).toBe('[redacted]');
  });

  it('writes a request line as it was given', () => {
    const { logger, lines } = loggedLines();
    const line = { reqId: 'r1', method: 'POST', path: '/v1/leads/00Q/route', status: 200, ms: 4.2 };
    logger.info(line, 'request');
    expect(JSON.parse(lines[0]!)).toMatchObject({ ...line, msg: 'request', service: 'switchyard' });
  });
});
