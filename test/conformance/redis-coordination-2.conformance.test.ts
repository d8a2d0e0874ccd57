import { runRedisConformance } from './redis-conformance.js';

runRedisConformance('coordination', 2);
