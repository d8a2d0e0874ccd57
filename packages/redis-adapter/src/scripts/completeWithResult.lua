-- completeWithResult: finishes one lease whose token still holds it, as completeTask does, and
-- keeps its result with the finished id (pruned with it after retainMs, server time). Only a
-- completion with a result comes here; plain ones are batched through completeTask and leaseTasks.
-- Its completed event (with the result) always goes out: a result is there to be waited for.
-- KEYS[1] leases: leases hash
-- KEYS[2] active: active zset
-- KEYS[3] ids: ids set
-- KEYS[4] finished: finished set
-- KEYS[5] finishedAt: finished-at zset
-- KEYS[6] results: results hash (id -> result JSON text)
-- KEYS[7] progress: progress hash
-- KEYS[8] limits: limits hash (see prelude.lua slot_freed)
-- ARGV[1] id: the task id
-- ARGV[2] token: the lease token
-- ARGV[3] result: the result, JSON text
-- ARGV[4] retainMs: how long finished ids are kept (ms)
-- ARGV[5] eventsChannel: the queue's events channel (completed, with the result)
-- ARGV[6] slotsChannel: where a freed slot is announced to held-back lease calls ('' without limits)
-- Returns: OK, or NOT_HELD (nothing changed).
local leasesKey = KEYS[1]
local activeKey = KEYS[2]
local idsKey = KEYS[3]
local finishedKey = KEYS[4]
local finishedAtKey = KEYS[5]
local resultsKey = KEYS[6]
local progressKey = KEYS[7]
local limitsKey = KEYS[8]
local id = ARGV[1]
local token = ARGV[2]
local result = ARGV[3]
local retainMs = tonumber(ARGV[4])
local eventsChannel = ARGV[5]
local slotsChannel = ARGV[6]
local now = server_ms()

local events = {}
local k = { results = resultsKey, progress = progressKey }
local codes = complete_leases(leasesKey, activeKey, idsKey, finishedKey, finishedAtKey, now, now - retainMs, { id, token }, 1, k, nil)
if codes[1] ~= OK then return NOT_HELD end
call('HSET', resultsKey, id, result)
publish_events(eventsChannel, { id_event('completed', now, id, ',"result":' .. result) })
slot_freed(limitsKey, slotsChannel)
return OK
