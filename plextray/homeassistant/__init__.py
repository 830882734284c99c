"""Home Assistant over MQTT: each person's viewing as sensors, grants and pausing as buttons and a switch.

discovery.py and states.py are pure (payloads from the engine's snapshot); bridge.py does the
MQTT I/O on its own threads; settings.py reads the broker's address and the keyring's password.
"""
