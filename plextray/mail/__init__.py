"""E-mail: SMTP delivery with an outbox (smtp), the digest and logs messages (messages), when they are due (schedule)."""
