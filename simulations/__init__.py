"""An agent-based cross-border e-commerce ecosystem that writes signed three-flow events.

Entry points: :func:`simulations.runner.run_simulation` (into a ledger, with ground truth
beside it), :class:`simulations.engine.Simulation` (the event stream itself),
:func:`simulations.scenarios.compare`, :func:`simulations.sanity.figures`, and the
``simulations.cli`` Typer app. Settings: :class:`simulations.config.SimulationConfig`.
"""
