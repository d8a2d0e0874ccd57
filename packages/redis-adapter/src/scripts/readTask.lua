-- readTask: task `id` as it is now, read in one step without a scan: a lease (active), then the
-- ids hash (waiting, delayed, dead, cancelled: the envelope it keeps for each queued id), then the
-- finished set. A delayed task already due (server time) is reported waiting, as readStats counts
-- it. Read-only: a cancellation or finished id past retention reads as unknown, pruned later.
-- KEYS[1] leases: leases hash
-- KEYS[2] active: active zset
-- KEYS[3] progress: progress hash
-- KEYS[4] ids: ids hash (id -> envelope as stored, or '' while leased or cancelled)
-- KEYS[5] delayed: delayed zset
-- KEYS[6] deadIds: dead ids zset (id -> death time, ms)
-- KEYS[7] cancelled: cancelled hash
-- KEYS[8] cancelledAt: cancelled-at zset
-- KEYS[9] finished: finished set
-- KEYS[10] finishedAt: finished-at zset
-- KEYS[11] results: results hash
-- ARGV[1] id: the task id
-- ARGV[2] retainMs: how long finished and cancelled ids are kept (ms)
-- Returns: {} for an unknown id, else { state, a, b, c } as listTasks gives each task.
local leasesKey = KEYS[1]
local activeKey = KEYS[2]
local progressKey = KEYS[3]
local idsKey = KEYS[4]
local delayedKey = KEYS[5]
local deadIdsKey = KEYS[6]
local cancelledKey = KEYS[7]
local cancelledAtKey = KEYS[8]
local finishedKey = KEYS[9]
local finishedAtKey = KEYS[10]
local resultsKey = KEYS[11]
local id = ARGV[1]
local retainMs = tonumber(ARGV[2])

local record = call('HGET', leasesKey, id)
if record then
  local sep = string.find(record, '|', 1, true)
  return { 'active', string.sub(record, sep + 1), call('ZSCORE', activeKey, id) or '0', call('HGET', progressKey, id) or '' }
end
local now = server_ms()
local cutoff = now - retainMs
local env = call('HGET', idsKey, id)
if env then
  local died = call('ZSCORE', deadIdsKey, id)
  if died then return { 'dead', env, died, '' } end
  local at = call('ZSCORE', cancelledAtKey, id)
  if at then
    if tonumber(at) < cutoff then return {} end
    return { 'cancelled', id, at, call('HGET', cancelledKey, id) or '-' }
  end
  if string.sub(env, 1, #ENVELOPE_HEAD) ~= ENVELOPE_HEAD then return {} end
  local due = call('ZSCORE', delayedKey, env)
  if due and tonumber(due) > now then return { 'delayed', env, due, '' } end
  return { 'waiting', env, '', '' }
end
if call('SISMEMBER', finishedKey, id) == 1 then
  local at = call('ZSCORE', finishedAtKey, id)
  if at and tonumber(at) < cutoff then return {} end
  return { 'finished', id, at or '0', call('HGET', resultsKey, id) or '' }
end
return {}
