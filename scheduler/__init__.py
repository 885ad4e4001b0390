"""Planning: the CP-SAT model (one ``add_<rule>`` per hard rule), the greedy baseline, the
first plan in parts, re-insertion and neighbourhoods; ``solve.solve`` runs them in order."""
