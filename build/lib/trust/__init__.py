"""Trust: signals, propagation, contradictions, resolution into facts (issues 4 and 5)."""
