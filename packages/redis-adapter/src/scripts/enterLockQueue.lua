-- enterLockQueue: puts a waiter's token at the back of the resource's waiter queue (or refreshes
-- its place) and reports how long the lock has left and whether the waiter is first in line.
-- KEYS[1] lock key   KEYS[2] waiter list   KEYS[3] waiter deadlines zset
-- ARGV[1] token   ARGV[2] place deadline (ms, caller's clock): the place is dropped if not refreshed by then
-- Returns: { the lock's PTTL (ms; -2 when free, -1 when it has no expiry), 1 when first in line else 0 }
if call('ZADD', KEYS[3], tonumber(ARGV[2]), ARGV[1]) == 1 then
  call('RPUSH', KEYS[2], ARGV[1])
end
local first = 0
if call('LINDEX', KEYS[2], 0) == ARGV[1] then first = 1 end
return { call('PTTL', KEYS[1]), first }
