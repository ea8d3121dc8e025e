// Test check: the deliveries whose body names the marker, with their state.
MATCH (x:Delivery)
WHERE x.body CONTAINS $marker OR x.recipient CONTAINS $marker
RETURN x.id AS id, x.channel AS channel, x.status AS status, x.attempts AS attempts,
       x.last_error AS last_error
ORDER BY id
