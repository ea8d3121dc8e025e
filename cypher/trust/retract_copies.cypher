// Copying a full pass no longer finds: every COPIES edge whose (copier, original) pair is not
// among $pairs is deleted (a full pass assesses every pair of sources that share items).
MATCH (copier:Source)-[old:COPIES]->(original:Source)
WHERE NOT copier.id + '|' + original.id IN [pair IN $pairs | pair.copier + '|' + pair.original]
DELETE old
RETURN count(*) AS retracted
