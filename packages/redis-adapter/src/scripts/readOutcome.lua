-- readOutcome: how task `id` ended, in one read: finished while its finished id is retained,
-- dead while it is in the dead letters (its letter kept in the ids hash), cancelled
-- while its cancellation is retained (server time). Read-only.
-- KEYS[1] finished: finished set
-- KEYS[2] finishedAt: finished-at zset
-- KEYS[3] dead: dead list
-- KEYS[4] cancelled: cancelled hash
-- KEYS[5] cancelledAt: cancelled-at zset
-- KEYS[6] results: results hash
-- KEYS[7] deadIds: dead ids zset
-- KEYS[8] ids: ids hash (id -> stored envelope; a dead letter's for a dead id)
-- ARGV[1] id: the task id
-- ARGV[2] head: how its envelope starts as TypeScript writes it ('{"baton":1,"id":<JSON id>,')
-- ARGV[3] retainMs: how long finished and cancelled ids are kept (ms)
-- Returns: { 'finished'[, result JSON text] } | { 'dead', dead letter envelope } | { 'cancelled', "+<reason>" or "-" } | {}
local finishedKey = KEYS[1]
local finishedAtKey = KEYS[2]
local deadKey = KEYS[3]
local cancelledKey = KEYS[4]
local cancelledAtKey = KEYS[5]
local resultsKey = KEYS[6]
local deadIdsKey = KEYS[7]
local idsKey = KEYS[8]
local id = ARGV[1]
local head = ARGV[2]
local retainMs = tonumber(ARGV[3])
local cutoff = server_ms() - retainMs

if is_finished(finishedKey, finishedAtKey, id, cutoff, false) then
  local result = call('HGET', resultsKey, id)
  if result then return { 'finished', result } end
  return { 'finished' }
end
local at = call('ZSCORE', cancelledAtKey, id)
if at and tonumber(at) >= cutoff then return { 'cancelled', call('HGET', cancelledKey, id) or '-' } end
if call('ZSCORE', deadIdsKey, id) then
  local letter = call('HGET', idsKey, id)
  if letter then return { 'dead', letter } end
end
return {}
