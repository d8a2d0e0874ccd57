import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatonMetrics } from './baton-metrics.js';

/**
 * A `node:http` request handler that serves `metrics` in Prometheus's text format on GET (and
 * HEAD), and 405 otherwise; mount it on `/metrics` of any server (Express and Fastify take such
 * handlers), or run `http.createServer(metricsHandler(metrics)).listen(9464)`.
 */
export function metricsHandler(metrics: BatonMetrics): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method Not Allowed\n');
      return;
    }
    metrics.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.contentType });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics could not be collected: ${String(error)}\n`);
      },
    );
  };
}
