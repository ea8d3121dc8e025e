// One delivery and its state.
MATCH (x:Delivery {id: $id})
RETURN x.id AS id, x.channel AS channel, x.recipient AS recipient, x.body AS body,
       x.status AS status, x.attempts AS attempts, x.last_error AS last_error
