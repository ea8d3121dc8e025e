"""Ingestion: extractors, schema matching, graph loading, watcher and worker (issue 3)."""
