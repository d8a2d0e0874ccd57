export { BackendLifecycle } from './backend-lifecycle.js';
