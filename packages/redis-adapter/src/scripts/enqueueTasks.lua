-- enqueueTasks: adds tasks unless their id is queued (waiting, delayed, leased) or finished.
-- KEYS[1] wait list   KEYS[2] delayed zset   KEYS[3] ids set   KEYS[4] finished set   KEYS[5] finished-at zset
-- ARGV[1] now (ms, caller's clock)   ARGV[2] finished cutoff (now - retainFinishedMs)   ARGV[3] delayed-due channel
-- ARGV[4..] triples: id, envelope, delayMs
-- Returns: one code per task, in order: QUEUED, DUPLICATE or FINISHED.
local now, cutoff = tonumber(ARGV[1]), tonumber(ARGV[2])
expect_type(KEYS[1], 'list')
-- the finished set's type is checked by its SISMEMBER, the first command for each task
local out = {}
for i = 4, #ARGV, 3 do
  local id, env, delay = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  -- SADD answers the duplicate check and claims the id in one command. An id that is both
  -- queued and finished (a recipe client's SADD) stays a duplicate, as before.
  if is_finished(KEYS[4], KEYS[5], id, cutoff, true) then
    out[#out + 1] = call('SISMEMBER', KEYS[3], id) == 1 and DUPLICATE or FINISHED
  elseif call('SADD', KEYS[3], id) == 0 then
    out[#out + 1] = DUPLICATE
  else
    if delay > 0 then add_delayed(KEYS[2], now + delay, env, ARGV[3]) else call('LPUSH', KEYS[1], env) end
    out[#out + 1] = QUEUED
  end
end
return out
