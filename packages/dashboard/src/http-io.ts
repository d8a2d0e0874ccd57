import type { IncomingMessage, ServerResponse } from 'node:http';
import { isBatonError, NotSupportedError } from '@baton/core';

/** A request the dashboard answers with an HTTP error status and a JSON `{ error }` body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Headers of every dashboard response: no caching, no sniffing, no framing, scripts only from the dashboard. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/** Largest JSON body a change accepts (bytes). */
const MAX_BODY_BYTES = 64 * 1024;

/** Writes `body` as JSON with `status`. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/**
 * The HTTP answer for a failure: HttpError as it says, a Baton error by its code (bad input 400,
 * a missing capability 501 with `capability`, an unreachable or closed backend 503), else 500.
 * The message is the error's own, never a stack.
 */
export function sendError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof HttpError) return sendJson(response, error.status, { error: error.message, ...error.extra }, error.headers);
  if (error instanceof NotSupportedError) {
    return sendJson(response, 501, { error: 'not supported by this backend', capability: error.capability, code: error.code });
  }
  if (isBatonError(error)) {
    const status =
      error.code === 'INVALID_ARGUMENT' || error.code === 'INVALID_CURSOR' || error.code === 'SERIALIZATION'
        ? 400
        : error.code === 'BACKEND_UNAVAILABLE' || error.code === 'CLOSED'
          ? 503
          : 500;
    return sendJson(response, status, { error: error.message, code: error.code });
  }
  sendJson(response, 500, { error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
}

/**
 * The JSON body of a change. Only `application/json` is accepted (415 otherwise): a page of
 * another site cannot send that type without the browser asking this server first (CORS), so a
 * forged form post never reaches an action.
 */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'send changes as application/json');
  // A body parser mounted before the dashboard (express.json()) has read the stream already.
  const parsed = (request as { body?: unknown }).body;
  if (request.readableEnded && parsed !== undefined) return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
}
