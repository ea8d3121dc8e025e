// Folder sources with the given ids (`folder:NAME`), named as ingestion names them.
UNWIND $ids AS id
CREATE (:Source {id: id, name: substring(id, size('folder:')), kind: 'folder', location: 'test'})
