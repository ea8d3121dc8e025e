// The facts of one table, for `grace facts export`.
MATCH (f:Fact {table: $table, status: 'active'})
RETURN f.key AS key, f.attribute AS attribute, f.value AS value, f.confidence AS confidence,
       f.supporting_sources AS supporting, f.contradicting_sources AS contradicting
ORDER BY key, attribute
