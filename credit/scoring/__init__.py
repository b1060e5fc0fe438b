"""Credit models on ledger features: training at as-of points, reproducible scores, reports.

``train`` fits a scorecard on firms' features at several as-of points with labels from
the window after each; ``Scorer`` loads a saved model (refusing another feature schema)
and scores participants at a checkpoint, each score carrying the model version, the
feature-schema hash and the checkpoint (tree size, root hash) it was computed from.
"""
