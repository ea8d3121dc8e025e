// Record one attempt of a delivery: its number, the state it leaves, the error if any.
MATCH (x:Delivery {id: $id})
SET x.attempts = $attempts, x.status = $status, x.last_error = $error, x.attempted_at = $at,
    x.delivered_at = CASE WHEN $status = 'succeeded' THEN $at ELSE x.delivered_at END
RETURN x.id AS id
