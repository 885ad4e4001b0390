"""What the service does, apart from HTTP: the API routes and the CLI both call these."""
