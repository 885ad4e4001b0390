"""The scenario as arrays (``encoding``), who may serve whom (``core``), and proven upper
bounds on service and coverage."""
