// A browser-like client of the dashboard for HTTP tests: keeps cookies, reads the CSRF token of the
// last page, posts forms as a browser does (application/x-www-form-urlencoded), follows nothing.
export interface DashResponse {
  status: number;
  text: string;
  headers: Headers;
  location: string | null;
}

export class DashboardClient {
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page that had a form. */
  csrf = '';

  /** `headers` go with every request (a proxy's X-Forwarded-For, …). */
  constructor(readonly baseUrl: string, readonly headers: Record<string, string> = {}) {}

  private remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/Max-Age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private async wrap(response: Response): Promise<DashResponse> {
    this.remember(response.headers);
    const text = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1]!;
    return { status: response.status, text, headers: response.headers, location: response.headers.get('location') };
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<DashResponse> {
    return this.wrap(await fetch(this.baseUrl + path, { redirect: 'manual', headers: { ...this.headers, accept: 'text/html', cookie: this.cookieHeader(), ...headers } }));
  }

  /** Posts a form; the page's CSRF token is added unless `fields` sets _csrf (or `csrf: false`). */
  async post(path: string, fields: Record<string, string>, options: { csrf?: boolean } = {}): Promise<DashResponse> {
    const body = new URLSearchParams(options.csrf === false || '_csrf' in fields ? fields : { _csrf: this.csrf, ...fields });
    return this.wrap(await fetch(this.baseUrl + path, {
      method: 'POST', redirect: 'manual', body: body.toString(),
      headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: this.cookieHeader() },
    }));
  }

  /** Opens the sign-in form and posts it; returns the answer to the post. */
  async signIn(email: string, password: string): Promise<DashResponse> {
    await this.get('/dashboard/login');
    return this.post('/dashboard/login', { email, password });
  }
}
