-- setPaused: sets or clears a queue's (shard's) paused flag, which leaseTasks reads before it
-- leases anything. Pausing also drops the idle registrations, so enqueueTasks delivers nothing
-- while paused (a lease call made while paused registers none). Resuming announces "due now" on
-- the due channel, so the workers blocked on this queue in every process make a lease call at once.
-- KEYS[1] paused: paused flag (string "1" while paused)
-- KEYS[2] idle: idle zset
-- ARGV[1] paused: 1 to pause, 0 to resume
-- ARGV[2] dueChannel: the delayed-due channel (resume announces 0 on it)
-- Returns: 1 when the flag changed, 0 when it already was as asked.
local pausedKey = KEYS[1]
local idleKey = KEYS[2]
local paused = ARGV[1] == '1'
local dueChannel = ARGV[2]

if paused then
  call('DEL', idleKey)
  if call('SET', pausedKey, '1', 'NX') then return 1 end
  return 0
end
if call('DEL', pausedKey) == 0 then return 0 end
announce_due(dueChannel, 0)
return 1
