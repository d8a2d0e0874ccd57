import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SystemClock } from '@baton/core';
import { createDashboard } from '@baton/dashboard';
import { MemoryBackend } from '@baton/memory-adapter';

const backend = new MemoryBackend({ clock: new SystemClock() });
const emails = backend.queue('emails', { maxAttempts: 1 });
await emails.enqueue({ to: 'ada@example.com' }, { id: 'welcome-ada' });
await emails.fail((await emails.dequeue())!, new Error('mailbox full'));

// The dashboard under /ops/baton/ of the application's own server: everyone may look, only
// admins may change anything (a real application checks its session here, not a header).
const dashboard = createDashboard({
  backend,
  basePath: '/ops/baton',
  authorize: (request, action) => action === 'view' || request.headers['x-role'] === 'admin',
});
const server = createServer((request, response) => dashboard(request, response, () => response.writeHead(404).end()));
await once(server.listen(0, '127.0.0.1'), 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ops/baton/`;

// The page is at `base`; what it reads and sends is JSON under api/.
const overview = (await (await fetch(`${base}api/overview`)).json()) as { queues: Array<{ name: string; dead: number }> };
console.log(overview.queues.map((q) => `${q.name}: ${q.dead} dead`).join(', '));
const redrive = (role: string) =>
  fetch(`${base}api/queues/emails/retry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-role': role },
    body: JSON.stringify({ ids: ['welcome-ada'] }),
  });
console.log('as a viewer:', (await redrive('viewer')).status);
console.log('as an admin:', await (await redrive('admin')).json());
console.log('welcome-ada is', (await emails.get('welcome-ada'))?.state);

await dashboard.close();
server.close();
await backend.close();
