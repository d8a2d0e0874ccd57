-- findStalledQueues: which of the given queues hold a lease whose deadline has passed (server
-- time), so a process that recovers stalled tasks of many queues calls recoverStalledTasks only
-- on those. groups_with_keys finds the queues that have leases (one EXISTS answers "no leases at
-- all"), and the earliest deadline of each is read.
-- The keys are named in ARGV (see PROTOCOL.md, Keys built from ARGV), so this runs on one server
-- only; on a Cluster each queue runs recoverStalledTasks itself.
-- ARGV[1..] queues (active): the active zset of each queue
-- Returns: the numbers (1-based, in ARGV order) of the queues with an expired lease.
local queuesFrom = 1
local now = server_ms()

-- a queue with leases is stalled when its earliest deadline has passed
local function has_expired(keys)
  return #redis.call('ZRANGEBYSCORE', keys[1], '-inf', now, 'LIMIT', 0, 1) > 0
end

return groups_with_keys(ARGV, queuesFrom, 1, has_expired)
