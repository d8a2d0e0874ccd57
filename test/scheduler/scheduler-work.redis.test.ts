import { inject } from 'vitest';
import { redisEnv } from './redis-env.js';
import { describeSchedulerBehaviour } from './spec/scheduler-spec.js';

const url = inject('redisUrl');

// The same behaviour as on memory, on a real redis-server with real time and short TTLs; the
// periodic jobs and elections run beside it, in scheduler-time.redis.test.ts.
describeSchedulerBehaviour('Redis (real time)', redisEnv(url), { skip: url === '', part: 'work' });
