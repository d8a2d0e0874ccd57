-- completeTask: finishes each lease whose token still holds it; prunes expired finished ids.
-- Completions that arrive together are sent together (one call for the whole batch); completions
-- made together with a lease call travel in that call instead (see leaseTasks).
-- KEYS[1] leases hash   KEYS[2] active zset   KEYS[3] ids set   KEYS[4] finished set   KEYS[5] finished-at zset
-- ARGV[1] now (ms)   ARGV[2] finished cutoff (ms)   ARGV[3..] pairs: id, token
-- Returns: one code per pair, in order: OK, or NOT_HELD (that lease changed nothing).
return complete_leases(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], tonumber(ARGV[1]), tonumber(ARGV[2]), 3)
