import { inject } from 'vitest';
import { redisEnv } from './redis-env.js';
import { describeSchedulerBehaviour } from './spec/scheduler-spec.js';

const url = inject('redisUrl');

// The same behaviour as on memory, on a real redis-server with real time and short TTLs.
describeSchedulerBehaviour('Redis (real time)', redisEnv(url), {
  skip: url === '',
  // The queue capabilities of the second generation that the Redis store does not have yet.
  capabilities: { results: false, events: false, progress: false, cancel: false },
});
