import { describe, expect, it } from 'vitest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookiesOf, sameToken, setCookie } from './session.js';

function fakeReply() {
  const headers: Record<string, unknown> = {};
  const reply = { getHeader: (name: string) => headers[name], header: (name: string, value: unknown) => { headers[name] = value; return reply; } };
  return { reply: reply as unknown as FastifyReply, headers };
}
const request = (protocol: 'http' | 'https', cookie?: string) => ({ protocol, headers: { cookie } }) as unknown as FastifyRequest;

describe('dashboard cookies', () => {
  it('are HttpOnly and SameSite=Strict, and Secure when the browser came over https or the public URL is https', () => {
    const plain = fakeReply();
    setCookie(plain.reply, request('http'), 'http://127.0.0.1:8080', 'posgate_session', 'abc', null);
    expect(plain.headers['set-cookie']).toEqual(['posgate_session=abc; Path=/; HttpOnly; SameSite=Strict']);
    const direct = fakeReply();
    setCookie(direct.reply, request('https'), 'http://127.0.0.1:8080', 'posgate_session', 'abc', null);
    expect(String(direct.headers['set-cookie'])).toMatch(/; Secure$/);
    const proxied = fakeReply();
    setCookie(proxied.reply, request('http'), 'https://pay.example.com', 'posgate_session', 'abc', 0);
    setCookie(proxied.reply, request('http'), 'https://pay.example.com', 'posgate_mode', 'live', 60);
    expect(proxied.headers['set-cookie']).toEqual(['posgate_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure', 'posgate_mode=live; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure']);
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
