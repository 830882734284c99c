"""Saving Plex's logs: find the folder, follow the rotating files, archive every line exactly once.

locate (where Plex logs), source (following `Plex Media Server.log` through rotations),
days (which daily archive a line belongs to), archive (gzip members: write, read, repair, prune),
checkpoint (the durable commit record), lock (one writer at a time), saver (ties them together).
"""
