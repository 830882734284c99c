"""Pure core: parsing, sessions, rules, reports. Standard library only; no I/O, no clock reads, no GUI."""
