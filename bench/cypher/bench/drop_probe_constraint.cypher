// Benchmark tear-down.
DROP CONSTRAINT bench_probe_id IF EXISTS
