import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

// jsqr is CommonJS: under NodeNext its default import is the function itself
const jsQR = jsqrModule as unknown as typeof jsqrModule.default;

function decodePng(bytes: Buffer): string | null {
  const image = PNG.sync.read(bytes);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

describe('QR codes', () => {
  it("the PNG decodes to exactly the request's payUrl", async () => {
    const { body: pr } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });
    const res = await fetch(`${t.url}/v1/payment-requests/${pr.id}/qr.png`, { headers: { authorization: `Bearer ${t.secretKey}` } });
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(decodePng(Buffer.from(await res.arrayBuffer()))).toBe(pr.payUrl);
  });

  it('serves SVG for requests and for the terminal check-in code, and 404s what the caller cannot see', async () => {
    const { body: pr } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });
    const svg = await t.api('GET', `/v1/payment-requests/${pr.id}/qr.svg`);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(svg.body).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const terminal = await t.api('GET', `/v1/terminals/${t.terminalId}/qr.svg`, { key: t.terminalKey });
    expect(terminal.body).toMatch(/^<svg/);
    expect(terminal.body).not.toBe(svg.body);
    expect((await t.api('GET', '/v1/payment-requests/pr_unknown/qr.png')).status).toBe(404);
    expect((await t.api('GET', `/v1/payment-requests/${pr.id}/qr.svg`, { key: null })).status).toBe(401);
  });
});
