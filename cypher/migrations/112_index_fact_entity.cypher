// Range index for lookups and filters on Fact.entity.
CREATE INDEX fact_entity IF NOT EXISTS
FOR (n:Fact) ON (n.entity)
