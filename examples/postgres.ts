import { Container } from 'inversify';
import { Scheduler, TOKENS, type Backend } from '@baton/core';
import { postgresBackend } from '@baton/postgres-adapter';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const container = new Container();
container.load(postgresBackend({ connectionString, schema: 'baton_example' })); // migrates the schema at start-up
container.bind(Scheduler).toSelf().inSingletonScope();

const scheduler = container.get(Scheduler);
scheduler.handle<{ to: string }>('emails', async (task) => {
  console.log(`sent welcome mail to ${task.payload.to} (attempt ${task.attempt})`);
});
await scheduler.start();

const backend = container.get<Backend>(TOKENS.Backend);
const { id } = await backend.queue<{ to: string }>('emails').enqueue({ to: 'ada@example.com' });
await new Promise((done) => scheduler.on('completed', done));
console.log('finished:', await backend.queue('emails').isFinished(id));

await backend.locks().withLock('nightly-report', async (lock) => {
  console.log(`holding nightly-report with fence ${lock.fence}`);
});

await scheduler.stop();
await container.unbindAllAsync(); // closes the backend: the pool and the LISTEN connection
