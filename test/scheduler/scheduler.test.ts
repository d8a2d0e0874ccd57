import { memoryEnv } from './scheduler-env.js';
import { describeSchedulerBehaviour } from './spec/scheduler-spec.js';

describeSchedulerBehaviour('the memory backend (ManualClock)', memoryEnv);
