"""What the API and the console share to answer a request: its settings and database
session, file downloads, and the stream of a job's progress."""
