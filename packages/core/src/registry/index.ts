export { HeartbeatRegistration, type HeartbeatSteps } from './heartbeat-registration.js';
export { prepareNode, REGISTRY_DEFAULTS, MAX_META_ENTRIES } from './registry-input.js';
export { GroupWatch, type GroupEventSource, type GroupEventMessage, type GroupSnapshot, type GroupWatchContext } from './group-watch.js';
