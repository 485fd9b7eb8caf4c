"""The performance benchmark of the stack tasks; run it with benchmarks/run.sh."""
