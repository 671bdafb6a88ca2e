"""The data engine: verified sequential -> MPI training pairs (``engine.synthesize``) from kernel families,
decontaminated against the test split (``decontam``), and repair turns from MPI bug-class mutants (``repair``).
See docs/synth.md."""
