import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../app/ports/persistence.js';
import { DomainError } from '../core/errors.js';
import { refuseAsPage } from './http.js';

// A scope of pages whose handlers fail in each way a page cannot plan for, under a server whose
// own handler answers JSON (as posgate's answers problem+json).
const logged: string[] = [];
const server = Fastify({ logger: { level: 'error', stream: new Writable({ write(chunk, _enc, done) { logged.push(String(chunk)); done(); } }) } });
server.setErrorHandler((error, _request, reply) => reply.status(599).send({ handledBy: 'server', message: (error as Error).message }));
server.register(async (pages) => {
  pages.setErrorHandler(refuseAsPage);
  pages.get('/bug', async () => { throw new TypeError('cannot read properties of undefined'); });
  pages.get('/away', async () => { throw new StorageUnavailable('connection refused'); });
  pages.get('/gone', async () => { throw new DomainError('not_found', 'No payment request pr_x.'); });
  pages.get('/conflict', async () => { throw new DomainError('invalid_state', 'Not now.'); });
}, { prefix: '/pages' });

beforeAll(() => server.ready());
afterAll(() => server.close());

const browse = (url: string) => server.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml' } });

describe('refuseAsPage: what a browser is shown when a page fails', () => {
  it('a bug: an HTML 500 with the pages\' headers, nothing of the error shown, the error logged', async () => {
    const response = await browse('/pages/bug');
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.body).toContain('Something went wrong');
    expect(response.body).not.toContain('cannot read properties');
    const line = JSON.parse(logged.find((l) => l.includes('unhandled error')) ?? '{}');
    expect([line.level, line.err?.message]).toEqual([50, 'cannot read properties of undefined']);
  });

  it('the database away: an HTML 503', async () => {
    const response = await browse('/pages/away');
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('Unavailable for a moment');
  });

  it('a known refusal keeps its own page; one the pages do not know goes to the server', async () => {
    const gone = await browse('/pages/gone');
    expect([gone.statusCode, gone.body.includes('No payment request pr_x.')]).toEqual([404, true]);
    const conflict = await browse('/pages/conflict');
    expect([conflict.statusCode, conflict.json().handledBy]).toEqual([599, 'server']);
  });

  it('a client that is not a browser gets the server\'s answer, the bug included', async () => {
    const response = await server.inject({ method: 'GET', url: '/pages/bug', headers: { accept: 'application/json' } });
    expect([response.statusCode, response.json().handledBy]).toEqual([599, 'server']);
  });
});
