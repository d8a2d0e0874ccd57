import { inject } from 'vitest';
import { redisEnv } from './redis-env.js';
import { describeSchedulerBehaviour } from './spec/scheduler-spec.js';

const url = inject('redisUrl');

// Periodic jobs and leader election on a real redis-server with real time and short TTLs; the
// rest of the behaviour runs beside it, in scheduler-work.redis.test.ts.
describeSchedulerBehaviour('Redis (real time)', redisEnv(url), { skip: url === '', part: 'time' });
