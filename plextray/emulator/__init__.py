"""A stand-in Plex Media Server for tests, demos and benchmarks.

`logwriter` writes and rotates `Plex Media Server.log` exactly the way PMS does; `traffic`
produces real-shaped log lines (copied from PMS 1.4x captures) for playback and background noise.
"""
