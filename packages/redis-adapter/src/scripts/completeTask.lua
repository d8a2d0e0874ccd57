-- completeTask: finishes each lease whose token still holds it; prunes expired finished ids.
-- Completions that arrive together are sent together (one call for the whole batch); completions
-- made together with a lease call travel in that call instead (see leaseTasks).
-- KEYS[1] leases: leases hash
-- KEYS[2] active: active zset
-- KEYS[3] ids: ids set
-- KEYS[4] finished: finished set
-- KEYS[5] finishedAt: finished-at zset
-- ARGV[1] now: ms, caller's clock
-- ARGV[2] cutoff: finished cutoff (ms)
-- ARGV[3..] completions (id, token): the leases to finish
-- Returns: one code per pair, in order: OK, or NOT_HELD (that lease changed nothing).
local leasesKey = KEYS[1]
local activeKey = KEYS[2]
local idsKey = KEYS[3]
local finishedKey = KEYS[4]
local finishedAtKey = KEYS[5]
local now = tonumber(ARGV[1])
local cutoff = tonumber(ARGV[2])
local completionsFrom = 3

return complete_leases(leasesKey, activeKey, idsKey, finishedKey, finishedAtKey, now, cutoff, ARGV, completionsFrom)
