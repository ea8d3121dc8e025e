// Every node with its labels and properties, streamed for `grace backup`.
MATCH (n)
RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props
