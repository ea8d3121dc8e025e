// State and configuration of one vector index.
SHOW VECTOR INDEXES YIELD name, state, options
WHERE name = $name
RETURN state,
       options.indexConfig.`vector.dimensions` AS dimensions,
       options.indexConfig.`vector.similarity_function` AS similarity
