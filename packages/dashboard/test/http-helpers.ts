import { createServer, request as httpRequest, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A node:http server on a free loopback port; `close` ends open connections (event streams) too. */
export interface TestServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves `listener` on 127.0.0.1 and a free port. */
export async function serve(listener: RequestListener): Promise<TestServer> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A reverse proxy as an operator would put in front of the dashboard: requests under `prefix`
 * (e.g. `/ops/baton/`) go to `target` with the prefix taken off; anything else is 404.
 */
export function proxyTo(target: string, prefix: string): RequestListener {
  return (req, res) => {
    if (!req.url?.startsWith(prefix)) {
      res.writeHead(404).end('not proxied');
      return;
    }
    const upstream = httpRequest(
      `${target}/${req.url.slice(prefix.length)}`,
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (answer: IncomingMessage) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };
}

/** One server-sent event. */
export interface ServerEvent {
  type: string;
  data: unknown;
}

/** Reads the server-sent events of `url`; `next(type)` resolves the next event of that type. */
export async function openEvents(url: string): Promise<{ next(type: string): Promise<ServerEvent>; close(): void }> {
  const queued: ServerEvent[] = [];
  const waiting: Array<{ type: string; resolve: (e: ServerEvent) => void }> = [];
  let buffer = '';
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(url, { headers: { accept: 'text/event-stream' } }, resolve);
    req.on('error', reject);
    req.end();
  });
  if (response.statusCode !== 200) throw new Error(`event stream answered ${response.statusCode}`);
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const type = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (type === undefined || data === undefined) continue;
      const event = { type, data: JSON.parse(data) as unknown };
      const i = waiting.findIndex((w) => w.type === type);
      if (i >= 0) waiting.splice(i, 1)[0]!.resolve(event);
      else queued.push(event);
    }
  });
  return {
    next(type) {
      const i = queued.findIndex((e) => e.type === type);
      if (i >= 0) return Promise.resolve(queued.splice(i, 1)[0]!);
      return new Promise((resolve) => waiting.push({ type, resolve }));
    },
    close: () => response.destroy(),
  };
}
