// A TCP proxy on 127.0.0.1 that a fault scenario puts between posgate and PostgreSQL, to cut the
// network: `drop()` closes every connection at once; `stall()` stops forwarding bytes without
// closing anything (a cable pulled, a firewall that drops packets); `cutAfterCommit()` lets a
// COMMIT reach the server, swallows the server's answer and then drops or stalls that connection,
// so the transaction is committed and its client cannot know it: the outcome is unknown.
import { createServer, type Server, type Socket } from 'node:net';

interface Link {
  client: Socket;
  server: Socket;
  stalled: boolean;
}

/** pg sends COMMIT as a simple query or a Parse: either way the text ends with a NUL byte. */
const COMMIT = /commit\0/i;

export interface TcpProxy {
  port: number;
  /** `postgres://…` of the target with the host and port of the proxy. */
  url(target: string): string;
  /** Closes every open connection (new ones are accepted and forwarded). */
  drop(): void;
  /** Stops forwarding on every connection, open or new, without closing any. */
  stall(): void;
  /** New connections are forwarded again; the stalled ones stay dead. */
  resume(): void;
  /**
   * The next `count` COMMITs reach the server; their answers never reach the client. With `only`,
   * only COMMITs of transactions that sent a statement matching it count (e.g. one that completes
   * an idempotency key, so that its retry must be a replay).
   */
  cutAfterCommit(count: number, how: 'drop' | 'stall', only?: RegExp): void;
  /** COMMITs cut so far (the server answered, the client never learnt it). */
  readonly commitsCut: number;
  /** Connections open now. */
  readonly open: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const links = new Set<Link>();
  let stalled = false;
  let armed: { count: number; how: 'drop' | 'stall'; only?: RegExp } | null = null;
  let commitsCut = 0;

  const close = (link: Link) => {
    link.client.destroy();
    link.server.destroy();
    links.delete(link);
  };

  const server: Server = createServer((client) => {
    const upstream = new (client.constructor as typeof Socket)();
    const link: Link = { client, server: upstream, stalled };
    links.add(link);
    // a stalled connection keeps its other end open: the server side learns of nothing
    client.on('error', () => undefined).on('close', () => {
      if (!link.stalled) close(link);
    });
    upstream.on('error', () => undefined).on('close', () => close(link));
    let swallowNextAnswer: 'drop' | 'stall' | null = null;
    let matched = false; // the transaction under way sent a statement matching `armed.only`
    client.on('data', (chunk: Buffer) => {
      if (link.stalled) return; // read before the stall: held, as a dead network would
      const text = chunk.toString('latin1');
      if (armed?.only?.test(text)) matched = true;
      if (COMMIT.test(text)) {
        if (armed && armed.count > 0 && (!armed.only || matched)) {
          armed.count--;
          swallowNextAnswer = armed.how;
        }
        matched = false;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (link.stalled) return;
      if (swallowNextAnswer) {
        commitsCut++;
        if (swallowNextAnswer === 'drop') return close(link);
        link.stalled = true;
        return;
      }
      client.write(chunk);
    });
    upstream.connect(targetPort, targetHost);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };

  return {
    port,
    url: (target) => {
      const u = new URL(target);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    drop() {
      for (const link of [...links]) close(link);
    },
    stall() {
      stalled = true;
      for (const link of links) link.stalled = true;
    },
    resume() {
      stalled = false;
      armed = null;
      // connections stalled mid-way have lost bytes: their client side is closed (posgate has given up
      // on them by now); the server side stays open until the server ends it (a transaction left open
      // there holds its rows until the server's idle-in-transaction timeout ends it)
      for (const link of links) if (link.stalled) link.client.destroy();
    },
    cutAfterCommit(count, how, only) {
      armed = { count, how, only };
    },
    get commitsCut() {
      return commitsCut;
    },
    get open() {
      return links.size;
    },
    close: () => new Promise<void>((done) => {
      for (const link of [...links]) close(link);
      server.close(() => done());
    }),
  };
}
