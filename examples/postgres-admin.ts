import { PostgresBackend } from '@baton/postgres-adapter';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const backend = new PostgresBackend({ connectionString, schema: 'baton_admin_example' });
const emails = backend.queue<{ to: string }>('emails', { maxAttempts: 1, retainDead: { count: 1_000, ageMs: 86_400_000 } });

await emails.pause(); // every node's claims take nothing from now on; producers go on
await emails.enqueue({ to: 'ada@example.com' }, { id: 'welcome-ada' });
console.log('leased while paused:', await emails.dequeue());
await emails.resume(); // blocked workers are NOTIFYed and claim at once

const lease = (await emails.dequeue({ holder: 'worker-1' }))!;
console.log(await emails.get('welcome-ada')); // active: its deadline and holder
await emails.fail(lease, new Error('mailbox full')); // maxAttempts 1: a dead letter
const dead = await emails.list('dead', { limit: 10 });
console.log(dead.tasks.map((task) => `${task.id}: ${task.state === 'dead' ? task.lastError : task.state}`));
console.log('redriven:', await emails.retryDead({ all: true }));
console.log('queues:', await backend.queues(), await emails.stats());

const lock = await backend.locks().acquire('nightly-report', { ttlMs: 10_000 });
console.log(await backend.locks().inspect('nightly-report')); // the time left by the database's clock, never the token
await lock.release();
console.log('purged:', await emails.purge('waiting'));
await backend.close();
