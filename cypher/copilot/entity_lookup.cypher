// Co-pilot: entities of readable tables whose key is a word of a question, or starts with it
// and a dash ("lyon" finds "lyon-fr").
UNWIND $words AS word
MATCH (e:Entity)
WHERE e.table IN $tables AND (toLower(e.key) = word OR toLower(e.key) STARTS WITH word + '-')
RETURN word, e.id AS entity, e.table AS table
