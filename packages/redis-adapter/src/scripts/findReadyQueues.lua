-- findReadyQueues: the safety net of waiting workers. Which of the given queues hold a task in
-- their wait list, claimed list or prioritized zset (work that waiting workers may not have been
-- told of: a raw LPUSH by another client, a wake-up lost with a dropped connection), found by
-- groups_with_keys: one EXISTS answers the idle case, and the cost grows with the queues that have
-- work.
-- The keys are named in ARGV (see PROTOCOL.md, Keys built from ARGV), so this runs on one server
-- only; on a Cluster each queue is checked with its own EXISTS.
-- ARGV[1..] queues (wait, claimed, prioritized): the keys of each queue
-- Returns: the numbers (1-based, in ARGV order) of the queues with ready work.
local queuesFrom = 1

return groups_with_keys(ARGV, queuesFrom, 3)
