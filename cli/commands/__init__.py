"""One module per ``haken`` sub-command, each exposing ``command``."""
