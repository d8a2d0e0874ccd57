-- completeTask: finishes each lease whose token still holds it; prunes expired finished ids.
-- Completions that arrive together are sent together (one call for the whole batch); completions
-- made together with a lease call travel in that call instead (see leaseTasks). Finish times and
-- retention are the server's.
-- KEYS[1] leases: leases hash
-- KEYS[2] active: active zset
-- KEYS[3] ids: ids set
-- KEYS[4] finished: finished set
-- KEYS[5] finishedAt: finished-at zset
-- KEYS[6] results: results hash
-- KEYS[7] progress: progress hash
-- KEYS[8] watching: watching hash (event type -> watched until, ms)
-- KEYS[9] limits: limits hash (see prelude.lua slot_freed)
-- ARGV[1] retainMs: how long finished ids are kept (ms)
-- ARGV[2] eventsChannel: the queue's events channel (completed)
-- ARGV[3] slotsChannel: where a freed slot is announced to held-back lease calls ('' without limits)
-- ARGV[4..] completions (id, token): the leases to finish
-- Returns: one code per pair, in order: OK, or NOT_HELD (that lease changed nothing).
local leasesKey = KEYS[1]
local activeKey = KEYS[2]
local idsKey = KEYS[3]
local finishedKey = KEYS[4]
local finishedAtKey = KEYS[5]
local resultsKey = KEYS[6]
local progressKey = KEYS[7]
local watchingKey = KEYS[8]
local limitsKey = KEYS[9]
local retainMs = tonumber(ARGV[1])
local eventsChannel = ARGV[2]
local slotsChannel = ARGV[3]
local completionsFrom = 4
local now = server_ms()

local events = {}
local k = { results = resultsKey, progress = progressKey }
local completed_events = watched(watchingKey, 'completed', now) and events or nil
local codes = complete_leases(leasesKey, activeKey, idsKey, finishedKey, finishedAtKey, now, now - retainMs, ARGV, completionsFrom, k, completed_events)
publish_events(eventsChannel, events)
if slotsChannel ~= '' then slot_freed(limitsKey, slotsChannel) end
return codes
