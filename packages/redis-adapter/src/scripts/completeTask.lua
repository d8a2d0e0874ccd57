-- completeTask: finishes each lease whose token still holds it; prunes expired finished ids.
-- Completions that arrive together are sent together (one call for the whole batch); completions
-- made together with a lease call travel in that call instead (see leaseTasks). Finish times and
-- retention are the server's.
-- KEYS[1] leases: leases hash
-- KEYS[2] active: active zset
-- KEYS[3] ids: ids set
-- KEYS[4] finished: finished set
-- KEYS[5] finishedAt: finished-at zset
-- ARGV[1] retainMs: how long finished ids are kept (ms)
-- ARGV[2..] completions (id, token): the leases to finish
-- Returns: one code per pair, in order: OK, or NOT_HELD (that lease changed nothing).
local leasesKey = KEYS[1]
local activeKey = KEYS[2]
local idsKey = KEYS[3]
local finishedKey = KEYS[4]
local finishedAtKey = KEYS[5]
local retainMs = tonumber(ARGV[1])
local completionsFrom = 2
local now = server_ms()

return complete_leases(leasesKey, activeKey, idsKey, finishedKey, finishedAtKey, now, now - retainMs, ARGV, completionsFrom)
