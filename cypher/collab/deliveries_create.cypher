// The deliveries of one happening, pending; returns those created now (a delivery told
// twice is recorded once).
UNWIND $deliveries AS d
MERGE (x:Delivery {id: d.id})
ON CREATE SET x.channel = d.channel, x.recipient = d.recipient, x.body = d.body,
  x.status = 'pending', x.attempts = 0, x.created_at = d.at, x.new = true
WITH x, x.new IS NOT NULL AS created
REMOVE x.new
WITH x, created
WHERE created
RETURN x.id AS id
