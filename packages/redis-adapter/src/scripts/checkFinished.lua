-- checkFinished: whether an id completed within retention (or was added to the finished set by
-- another client, which Baton keeps as finished). Read-only.
-- KEYS[1] finished set   KEYS[2] finished-at zset
-- ARGV[1] id   ARGV[2] finished cutoff (ms)
-- Returns: 1 or 0.
if is_finished(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), false) then return 1 end
return 0
