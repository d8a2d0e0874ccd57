export { newTaskId, newToken } from './random-ids.js';
