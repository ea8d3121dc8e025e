// Benchmark set-up: MERGE on BenchProbe.id is index-backed, as Grace's own keys are.
CREATE CONSTRAINT bench_probe_id IF NOT EXISTS
FOR (p:BenchProbe) REQUIRE p.id IS UNIQUE
