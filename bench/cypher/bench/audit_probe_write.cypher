// Benchmark: the smallest graph change an audited operation makes (one node).
CREATE (:BenchAuditProbe {run: $run, n: $n})
