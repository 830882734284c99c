"""The monitoring engine: new log lines and the server's live sessions in, rule checks and actions out.

One engine thread owns all mutable state (parser, sessions, enforcement memory, the database
connection); log reading happens on it (cheap stats and reads), network calls run on a small
worker pool and post their results back as messages, so a slow server never blocks a check.
"""
