// Range index on Document.pipeline: the recovery sweep finds the passes still owed.
CREATE INDEX document_pipeline IF NOT EXISTS
FOR (n:Document) ON (n.pipeline)
