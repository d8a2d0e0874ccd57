-- watchEvents: registers that a watcher wants events of the given types on this queue (shard),
-- until forMs from the server's now (never shortening a registration another watcher made).
-- The scripts build and publish the frequent events (enqueued, active, completed) only while
-- someone is registered for them; a watcher renews its registration while it watches.
-- KEYS[1] watching: watching hash (event type -> watched until, ms)
-- ARGV[1] forMs: how long the registration lasts (ms)
-- ARGV[2..] types (type): the event types
-- Returns: OK.
local watchingKey = KEYS[1]
local forMs = tonumber(ARGV[1])
local typesFrom = 2
local untilMs = server_ms() + forMs

for i = typesFrom, #ARGV do
  local current = tonumber(redis.call('HGET', watchingKey, ARGV[i]) or '0')
  if current < untilMs then redis.call('HSET', watchingKey, ARGV[i], num(untilMs)) end
end
return OK
