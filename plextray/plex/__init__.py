"""Talking to the Plex Media Server: the plexapi adapter, the token store and the PIN login.

`client` is the only module that imports plexapi or requests; everything else sees plextray's
own types (plextray.core.model) and errors (plextray.errors). Importing this package is cheap:
plexapi is loaded only when a client is made.
"""
