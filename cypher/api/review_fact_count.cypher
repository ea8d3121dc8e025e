// How many facts of one table pass the filters of `review_fact_page`.
MATCH (f:Fact {table: $table})
WHERE ($key IS NULL OR f.key = $key)
  AND ($attribute IS NULL OR f.attribute = $attribute)
  AND ($status IS NULL OR f.status = $status)
RETURN count(f) AS total
