"""How good a credit model is: discrimination, calibration, value tables, loss and plots."""
