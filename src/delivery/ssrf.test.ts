import type { LookupAddress, LookupOptions } from 'node:dns';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { LookupAll } from './ssrf.js';
import { checkUrlShape, isPrivateAddress, pinnedLookup, resolveSafeAddress, resolveSafeUrl, UnsafeUrlError } from './ssrf.js';

/** A resolver answering from a table, recording what it was asked; no real DNS in tests. */
function fakeDns(table: Record<string, string[]>) {
  const asked: { hostname: string; options: unknown }[] = [];
  const lookup: LookupAll = async (hostname, options) => {
    asked.push({ hostname, options });
    const addresses = table[hostname];
    if (addresses == null) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { lookup, asked };
}

const failIfCalled: LookupAll = async () => {
  throw new Error('DNS must not be consulted for a literal IP');
};

async function refusal(promise: Promise<unknown>): Promise<UnsafeUrlError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(UnsafeUrlError);
    return err as UnsafeUrlError;
  }
  throw new Error('expected an UnsafeUrlError');
}

describe('isPrivateAddress', () => {
  const privateAddresses = [
    // IPv4
    '0.0.0.0',
    '0.1.2.3',
    '10.0.0.1',
    '10.255.255.255',
    '100.64.0.1',
    '100.127.255.254',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.169.254', // cloud metadata
    '169.254.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.170',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.255',
    '192.0.2.1', // documentation (TEST-NET-1, -2, -3)
    '198.51.100.1',
    '203.0.113.1',
    '192.88.99.1', // 6to4 relay anycast
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    // IPv6
    '::',
    '::1',
    '0:0:0:0:0:0:0:1',
    '2001:0:4136:e378:8000:63bf:80ff:fffe', // Teredo, whose client part (inverted) is 127.0.0.1
    '2001:2::1', // benchmarking
    '2001:10::1', // ORCHID
    '2001:db8::1', // documentation
    '100::1', // discard-only
    'fc00::1',
    'fd00:ec2::254', // AWS metadata over IPv6
    'fdff:ffff::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'ff02::1',
    'ff05::1:3',
    // IPv4 inside IPv6
    '::ffff:10.0.0.1',
    '::ffff:a00:1', // the same, as the URL parser writes it
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '0:0:0:0:0:ffff:192.168.0.1',
    '::ffff:0:10.0.0.1', // IPv4-translated
    '::127.0.0.1', // IPv4-compatible
    '::8.8.8.8', // IPv4-compatible: deprecated, refused whatever it embeds
    '64:ff9b::10.0.0.1', // NAT64 of a private address
    '64:ff9b::a9fe:a9fe', // NAT64 of 169.254.169.254
    '64:ff9b:1::1', // local-use NAT64
    '2002:7f00:1::1', // 6to4 of 127.0.0.1
    '2002:a9fe:a9fe::', // 6to4 of 169.254.169.254
    '[::1]',
    // not an IP at all: fail closed
    '',
    'localhost',
    'example.com',
    '127.1',
    '0x7f000001',
    '1.2.3.4.5',
  ];
  const publicAddresses = [
    '1.1.1.1',
    '8.8.8.8',
    '192.0.3.1', // beside TEST-NET-1
    '203.0.114.1', // beside TEST-NET-3
    '2001:200::1', // just past the IETF's 2001::/23
    '9.255.255.255',
    '11.0.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '126.255.255.255',
    '128.0.0.1',
    '169.253.255.255',
    '172.15.255.255',
    '172.32.0.1',
    '192.0.1.1',
    '192.167.255.255',
    '192.169.0.1',
    '198.17.255.255',
    '198.20.0.1',
    '223.255.255.255',
    '93.184.216.34',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '2a00:1450:4001:82b::200e',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::8.8.8.8', // NAT64 of a public address
    '2002:808:808::1', // 6to4 of a public address
    'fbff:ffff::1',
  ];

  it.each(privateAddresses)('%s is private', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });
  it.each(publicAddresses)('%s is public', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});

describe('checkUrlShape', () => {
  it('accepts http and https URLs with a host', () => {
    expect(checkUrlShape('https://hooks.example.com/posgate?x=1').hostname).toBe('hooks.example.com');
    expect(checkUrlShape('http://203.0.113.7:8080/hook').port).toBe('8080');
    expect(checkUrlShape('https://[2606:4700:4700::1111]/').hostname).toBe('[2606:4700:4700::1111]');
  });

  it.each([
    ['ftp://example.com/x', 'unsupported_scheme'],
    ['file:///etc/passwd', 'unsupported_scheme'],
    ['javascript:alert(1)', 'unsupported_scheme'],
    ['data:text/plain,hi', 'unsupported_scheme'],
    ['gopher://example.com/', 'unsupported_scheme'],
    ['https://user:pass@example.com/', 'credentials_in_url'],
    ['https://user@example.com/', 'credentials_in_url'],
    ['https://:pass@example.com/', 'credentials_in_url'],
    ['http://', 'invalid_url'],
    ['http://8.8.8.8:0/', 'invalid_url'],
    ['https:', 'invalid_url'],
    ['/relative/path', 'invalid_url'],
    ['not a url', 'invalid_url'],
    ['', 'invalid_url'],
  ])('refuses %j (%s)', (url, reason) => {
    let caught: unknown;
    try {
      checkUrlShape(url);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnsafeUrlError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as UnsafeUrlError).reason).toBe(reason);
    expect((caught as UnsafeUrlError).message).not.toBe('');
  });
});

describe('resolveSafeAddress', () => {
  it('answers the first address when every answer is public, asking for all of them', async () => {
    const dns = fakeDns({ 'hooks.example.com': ['93.184.216.34', '2606:4700:4700::1111'] });
    await expect(resolveSafeAddress(new URL('https://hooks.example.com/x'), dns.lookup)).resolves.toEqual({ address: '93.184.216.34', family: 4 });
    expect(dns.asked).toHaveLength(1);
    expect(dns.asked[0]?.hostname).toBe('hooks.example.com');
    expect(dns.asked[0]?.options).toMatchObject({ all: true });
  });

  it('refuses a name with one private address among public ones (rebinding across records)', async () => {
    const dns = fakeDns({ 'evil.example.com': ['93.184.216.34', '8.8.8.8', '169.254.169.254'] });
    const err = await refusal(resolveSafeAddress(new URL('https://evil.example.com/'), dns.lookup));
    expect(err.reason).toBe('private_address');
    expect(err.message).toContain('169.254.169.254');
  });

  it('refuses names resolving to loopback, private or mapped-private addresses', async () => {
    const dns = fakeDns({ localhost: ['127.0.0.1', '::1'], intranet: ['10.1.2.3'], sneaky: ['::ffff:192.168.0.10'], v6ula: ['fd12:3456::1'] });
    for (const host of ['localhost', 'intranet', 'sneaky', 'v6ula']) {
      expect((await refusal(resolveSafeAddress(new URL(`http://${host}/`), dns.lookup))).reason).toBe('private_address');
    }
  });

  it('turns a lookup failure or an empty answer into UnsafeUrlError with a clear reason', async () => {
    const dns = fakeDns({ empty: [] });
    const missing = await refusal(resolveSafeAddress(new URL('https://nowhere.invalid/'), dns.lookup));
    expect(missing.reason).toBe('dns_failed');
    expect(missing.message).toContain('nowhere.invalid');
    expect(missing.message).toContain('ENOTFOUND');
    expect((await refusal(resolveSafeAddress(new URL('https://empty/'), dns.lookup))).reason).toBe('dns_failed');
    const garbage: LookupAll = async () => [{ address: 'not-an-ip', family: 4 }];
    expect((await refusal(resolveSafeAddress(new URL('https://garbage/'), garbage))).reason).toBe('dns_failed');
  });

  it('checks a literal IP without DNS, with and without brackets', async () => {
    await expect(resolveSafeAddress(new URL('http://8.8.8.8/'), failIfCalled)).resolves.toEqual({ address: '8.8.8.8', family: 4 });
    await expect(resolveSafeAddress(new URL('https://[2606:4700:4700::1111]:8443/'), failIfCalled)).resolves.toEqual({
      address: '2606:4700:4700::1111',
      family: 6,
    });
    for (const url of [
      'http://127.0.0.1:3000/',
      'http://[::1]:8080/',
      'http://[::ffff:10.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://0x7f.1/', // the URL parser makes this 127.0.0.1
      'http://2130706433/', // and this
      'http://0/',
    ]) {
      const err = await refusal(resolveSafeAddress(new URL(url), failIfCalled));
      expect(err.reason, url).toBe('private_address');
    }
  });

  it('re-checks the shape of the URL it is given', async () => {
    expect((await refusal(resolveSafeAddress(new URL('ftp://8.8.8.8/'), failIfCalled))).reason).toBe('unsupported_scheme');
    expect((await refusal(resolveSafeAddress(new URL('http://u:p@8.8.8.8/'), failIfCalled))).reason).toBe('credentials_in_url');
  });

  it('resolveSafeUrl combines the shape check and the resolution', async () => {
    const dns = fakeDns({ 'hooks.example.com': ['2606:4700:4700::1111'] });
    const safe = await resolveSafeUrl('https://hooks.example.com/in', dns.lookup);
    expect(safe).toMatchObject({ address: '2606:4700:4700::1111', family: 6 });
    expect(safe.url.pathname).toBe('/in');
    expect((await refusal(resolveSafeUrl('file:///etc/passwd', dns.lookup))).reason).toBe('unsupported_scheme');
  });
});

describe('pinnedLookup', () => {
  function call(lookup: ReturnType<typeof pinnedLookup>, options: LookupOptions) {
    return new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family: number | undefined }>((resolve) => {
      lookup('rebinding.example.com', options, (err, address, family) => resolve({ err, address, family }));
    });
  }

  it('answers the pinned address in the plain form, whatever the host name', async () => {
    expect(await call(pinnedLookup('93.184.216.34', 4), {})).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect(await call(pinnedLookup('2606:4700:4700::1111', 6), { family: 0 })).toEqual({ err: null, address: '2606:4700:4700::1111', family: 6 });
  });

  it('answers the pinned address in the all: true form', async () => {
    const answer = await call(pinnedLookup('93.184.216.34', 4), { all: true });
    expect(answer.err).toBeNull();
    expect(answer.address).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('answers asynchronously, like dns.lookup', () => {
    let called = false;
    pinnedLookup('93.184.216.34', 4)('x', {}, () => {
      called = true;
    });
    expect(called).toBe(false);
  });

  it('errors when asked for the other family, and refuses a mismatched pin', async () => {
    const answer = await call(pinnedLookup('93.184.216.34', 4), { family: 6 });
    expect(answer.err?.code).toBe('ENOTFOUND');
    expect(() => pinnedLookup('93.184.216.34', 6)).toThrow(Error);
    expect(() => pinnedLookup('not-an-ip', 4)).toThrow(Error);
  });

  it('makes node:http connect to the pinned address, not to what the name resolves to', async () => {
    const server = createServer((req, res) => res.end(`host=${req.headers.host}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(`http://does-not-exist.invalid:${port}/`, { lookup: pinnedLookup('127.0.0.1', 4) }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe(`host=does-not-exist.invalid:${port}`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
