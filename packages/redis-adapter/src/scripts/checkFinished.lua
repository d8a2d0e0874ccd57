-- checkFinished: whether an id completed within retention (server time), or was added to the
-- finished set by another client, which Baton keeps as finished. Read-only.
-- KEYS[1] finished: finished set
-- KEYS[2] finishedAt: finished-at zset
-- ARGV[1] id: the task id
-- ARGV[2] retainMs: how long finished ids are kept (ms)
-- Returns: 1 or 0.
local finishedKey = KEYS[1]
local finishedAtKey = KEYS[2]
local id = ARGV[1]
local retainMs = tonumber(ARGV[2])

if is_finished(finishedKey, finishedAtKey, id, server_ms() - retainMs, false) then return 1 end
return 0
