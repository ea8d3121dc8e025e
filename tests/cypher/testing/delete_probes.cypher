// Test clean-up: remove the probes of one run.
MATCH (p:GraceTestProbe {run: $run})
DETACH DELETE p
