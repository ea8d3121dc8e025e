// One TrustClock per id (`trust/set_clock`: the time of the last full pass).
CREATE CONSTRAINT trust_clock_id IF NOT EXISTS
FOR (c:TrustClock) REQUIRE c.id IS UNIQUE
