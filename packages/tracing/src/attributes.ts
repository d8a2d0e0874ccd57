// Attribute names of the OpenTelemetry semantic conventions for messaging (v1.27+), written out
// rather than imported: the conventions package is large and its names are stable strings.

/** `messaging.system`: what Baton reports as the messaging system. */
export const MESSAGING_SYSTEM = 'messaging.system';
/** `messaging.destination.name`: the queue. */
export const DESTINATION_NAME = 'messaging.destination.name';
/** `messaging.operation.type`: 'send' or 'process'. */
export const OPERATION_TYPE = 'messaging.operation.type';
/** `messaging.operation.name`: the operation's own name ('send', 'process'). */
export const OPERATION_NAME = 'messaging.operation.name';
/** `messaging.message.id`: the task id. */
export const MESSAGE_ID = 'messaging.message.id';
/** `messaging.batch.message_count`: tasks in one enqueueMany call. */
export const BATCH_COUNT = 'messaging.batch.message_count';
/** Baton's own: the id of the node whose Scheduler runs the task. */
export const NODE_ID = 'baton.node.id';
/** Baton's own: the delivery attempt of the task being processed (1 = first). */
export const ATTEMPT = 'baton.task.attempt';
/** Baton's own: what the enqueue did with the task ('queued', 'duplicate', 'finished'). */
export const ENQUEUE_STATUS = 'baton.enqueue.status';
