"""Stand-ins for Helion's modules its examples import (`helion.exc`, `.autotuner`, `.runtime.settings`)."""
