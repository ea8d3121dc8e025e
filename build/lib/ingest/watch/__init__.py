"""Parts of the folder watcher (`ingest.watcher`): file checks and watchdog event handling."""
