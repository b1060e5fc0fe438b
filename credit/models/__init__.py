"""The credit models: a scorecard and a gradient-boosting challenger, as sklearn classifiers."""
