"""The simulator: generated scenarios of the programmes, sizing sweeps, and the local or
Ray executor that runs them."""
