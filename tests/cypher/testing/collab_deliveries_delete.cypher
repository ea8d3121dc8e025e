// Test clean-up: the deliveries whose body or recipient names the marker.
MATCH (x:Delivery)
WHERE x.body CONTAINS $marker OR x.recipient CONTAINS $marker
DETACH DELETE x
