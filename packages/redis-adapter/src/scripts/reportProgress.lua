-- reportProgress: stores a leased task's latest progress (replacing the previous one) and
-- publishes it, if the token still holds the lease. The progress hash entry goes when the task
-- leaves the active state (completed, failed, recovered or cancelled).
-- KEYS[1] leases: leases hash
-- KEYS[2] progress: progress hash (id -> latest progress JSON text)
-- ARGV[1] id: the task id
-- ARGV[2] token: the lease token
-- ARGV[3] progress: the progress, JSON text
-- ARGV[4] eventsChannel: the queue's events channel (progress)
-- Returns: OK, or NOT_HELD (nothing stored).
local leasesKey = KEYS[1]
local progressKey = KEYS[2]
local id = ARGV[1]
local token = ARGV[2]
local progress = ARGV[3]
local eventsChannel = ARGV[4]

if not held_envelope(call('HGET', leasesKey, id), token) then return NOT_HELD end
call('HSET', progressKey, id, progress)
publish_events(eventsChannel, { id_event('progress', server_ms(), id, ',"progress":' .. progress) })
return OK
