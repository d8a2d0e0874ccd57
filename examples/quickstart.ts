import { Container } from 'inversify';
import { Scheduler, TOKENS, type Backend } from '@baton/core';
import { memoryBackend } from '@baton/memory-adapter';

const container = new Container();
container.load(memoryBackend()); // or redisBackend({ url: 'redis://127.0.0.1:6379' })
container.bind(Scheduler).toSelf().inSingletonScope();

const scheduler = container.get(Scheduler);
scheduler.handle<{ to: string }>('emails', async (task) => {
  console.log(`sent welcome mail to ${task.payload.to} (attempt ${task.attempt})`);
});
await scheduler.start();

const emails = container.get<Backend>(TOKENS.Backend).queue<{ to: string }>('emails');
await emails.enqueue({ to: 'ada@example.com' }, { id: 'welcome-ada' });
await new Promise((done) => scheduler.on('completed', done));
console.log('finished:', await emails.isFinished('welcome-ada'));

await scheduler.stop();
await container.unbindAllAsync(); // closes the backend
