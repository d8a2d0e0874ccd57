export {
  instrument,
  isInstrumented,
  instrumentEnqueue,
  instrumentRun,
  reportLockWait,
  type Instrumentation,
  type EnqueueCall,
  type EnqueuingTask,
  type TaskRun,
  type LockWait,
} from './instrumentation.js';
