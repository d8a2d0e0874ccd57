export { MAX_NAME_LENGTH, assertName, assertPositiveInt, assertNonNegativeInt, positiveIntOr, nonNegativeIntOr, assertOptionsObject } from './arguments.js';
export { serializePayload } from './json-payload.js';
