-- returnDelivery: puts a delivery that its process could not use (nobody there was waiting for it
-- any more) back at the front of the wait list, where the next lease call adopts it, and tells the
-- waiting workers of every process (0 on the due channel). A delivery of an older version may sit
-- in the claimed list: it is removed from there. It is put back while its lease still holds, since
-- the only process that received it will not run it.
-- KEYS[1] claimed: claimed list
-- KEYS[2] wait: wait list
-- KEYS[3] leases: leases hash
-- ARGV[1] delivery: the delivery, as received
-- ARGV[2] dueChannel: the queue's due channel
-- Returns: 1 when it was put back, 0 when its lease no longer holds (nothing to do).
local claimedKey = KEYS[1]
local waitKey = KEYS[2]
local leasesKey = KEYS[3]
local delivery = ARGV[1]
local dueChannel = ARGV[2]

call('LREM', claimedKey, 1, delivery)
local ok, d = pcall(cjson.decode, delivery)
if not ok or type(d) ~= 'table' or type(d.id) ~= 'string' or type(d.lease) ~= 'string' then return 0 end
if not held_envelope(call('HGET', leasesKey, d.id), d.lease) then return 0 end
call('RPUSH', waitKey, delivery)
announce_due(dueChannel, 0)
return 1
