// A table's stored trust aggregate (`trust/refresh_table_trust`), if a trust pass wrote one.
MATCH (a:TrustAggregate {table: $table})
RETURN a.table AS table, a.rows AS rows, a.scored AS scored, a.total AS total, a.top AS top,
       a.buckets AS buckets, a.at AS at
