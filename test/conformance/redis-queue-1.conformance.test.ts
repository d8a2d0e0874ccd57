import { runRedisConformance } from './redis-conformance.js';

runRedisConformance('queue', 1);
