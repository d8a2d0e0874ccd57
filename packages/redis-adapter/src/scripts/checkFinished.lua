-- checkFinished: whether an id completed within retention (or was added to the finished set by
-- another client, which Baton keeps as finished). Read-only.
-- KEYS[1] finished: finished set
-- KEYS[2] finishedAt: finished-at zset
-- ARGV[1] id: the task id
-- ARGV[2] cutoff: finished cutoff (ms; now - retainFinishedMs)
-- Returns: 1 or 0.
local finishedKey = KEYS[1]
local finishedAtKey = KEYS[2]
local id = ARGV[1]
local cutoff = tonumber(ARGV[2])

if is_finished(finishedKey, finishedAtKey, id, cutoff, false) then return 1 end
return 0
