import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { cookiesOf, sameToken, setCookie } from './session.js';

/** The Set-Cookie lines a real Fastify reply sends after `set` (Fastify adds each to those it has). */
async function setCookies(set: (reply: FastifyReply) => void): Promise<string[]> {
  const server = Fastify();
  server.get('/', async (_request, reply) => {
    set(reply);
    return 'ok';
  });
  try {
    const answer = await server.inject({ method: 'GET', url: '/' });
    return [answer.headers['set-cookie'] ?? []].flat();
  } finally {
    await server.close();
  }
}
const request = (protocol: 'http' | 'https', cookie?: string) => ({ protocol, headers: { cookie } }) as unknown as FastifyRequest;

describe('dashboard cookies', () => {
  it('are HttpOnly and SameSite=Strict, and Secure when the browser came over https or the public URL is https', async () => {
    const plain = await setCookies((reply) => setCookie(reply, request('http'), 'http://127.0.0.1:8080', 'posgate_session', 'abc', null));
    expect(plain).toEqual(['posgate_session=abc; Path=/; HttpOnly; SameSite=Strict']);
    const direct = await setCookies((reply) => setCookie(reply, request('https'), 'http://127.0.0.1:8080', 'posgate_session', 'abc', null));
    expect(direct).toHaveLength(1);
    expect(direct[0]).toMatch(/; Secure$/);
    // two cookies on one reply: each sent once
    const proxied = await setCookies((reply) => {
      setCookie(reply, request('http'), 'https://pay.example.com', 'posgate_session', 'abc', 0);
      setCookie(reply, request('http'), 'https://pay.example.com', 'posgate_mode', 'live', 60);
    });
    expect(proxied).toEqual(['posgate_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure', 'posgate_mode=live; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure']);
  });

  it('are read from the Cookie header, the first of a name winning, a malformed value ignored', () => {
    expect(cookiesOf(request('http', 'a=1; b=x%20y; a=2; c=%E0%A4%A; =v; d'))).toEqual({ a: '1', b: 'x y' });
  });

  it('tokens compare only when equal, in length and bytes', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abd', 'abc')).toBe(false);
    expect(sameToken('ab', 'abc')).toBe(false);
    expect(sameToken('', '')).toBe(false);
    expect(sameToken(undefined, 'abc')).toBe(false);
  });
});
