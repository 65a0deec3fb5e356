import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl, requestSerializer, secretParameterNames } from './logger.js';

// a dialect that sends its token in the URL declares the names (as the registry's do)
const names = secretParameterNames(['accessToken', 'previousAccessToken']);

describe('secrets in logged URLs', () => {
  it('replaces the value of every secret query parameter, however its name is spelled or encoded', () => {
    expect(redactUrl('/mobilepay/api/pos/payments?bioCode=b1&accessToken=SECRET1', names)).toBe('/mobilepay/api/pos/payments?bioCode=b1&accessToken=[redacted]');
    expect(redactUrl('/x?access%54oken=SECRET2&a=1', names)).toBe('/x?access%54oken=[redacted]&a=1');
    expect(redactUrl('/x?ACCESSTOKEN=SECRET3&previousAccessToken=SECRET4', names)).toBe('/x?ACCESSTOKEN=[redacted]&previousAccessToken=[redacted]');
    expect(redactUrl('/display/t?key=SECRET5')).toBe('/display/t?key=[redacted]');
    expect(redactUrl('/x?access%zzToken=keep', names)).toBe('/x?access%zzToken=keep'); // not decodable: not the secret's name
    expect(redactUrl('/plain/path')).toBe('/plain/path');
  });

  it('leaves a dialect\'s names alone unless they are declared', () => {
    expect(redactUrl('/x?accessToken=visible')).toBe('/x?accessToken=visible');
    expect(requestSerializer(names)({ method: 'GET', url: '/x?accessToken=SECRET7' }).url).toBe('/x?accessToken=[redacted]');
  });

  it('the request serializer writes the redacted URL', () => {
    let logged = '';
    const sink = new Writable({ write(chunk, _encoding, done) { logged += chunk.toString(); done(); } });
    createLogger('info', sink).info({ req: { method: 'GET', url: '/p?%54oken=SECRET6', ip: '127.0.0.1' } }, 'incoming request');
    expect(logged).toContain('%54oken=[redacted]');
    expect(logged).not.toContain('SECRET6');
  });
});
