export { MAX_NAME_LENGTH, assertName, assertPositiveInt, assertNonNegativeInt, positiveIntOr, nonNegativeIntOr, assertOptionsObject } from './arguments.js';
export { serializePayload, serializeJson } from './json-payload.js';
export { MIN_PRIORITY, MAX_PRIORITY, MAX_HEADERS_BYTES, MAX_PROGRESS_BYTES, priorityOr0, copyHeaders } from './task-fields.js';
