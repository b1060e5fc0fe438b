"""Contract and anchoring tests on a real node (anvil) and in-process (eth-tester)."""
