"""The issue's example profiles.json, verbatim (tests load it as-is)."""

EXAMPLE_TEXT = """{
  "version": 1,
  "people": [
    {
      "name": "Emma",
      "devices": ["C5B092C3-B261-4344-A09F-A6939E10A468", "xk4kbse0xxadzpvi"],
      "accounts": ["emma"],
      "restrictions": [
        {"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["notify", "stop"]},
        {"type": "time", "days": "weekend", "from": "22:00", "to": "08:00", "actions": ["notify", "stop"]},
        {"type": "rating", "max": "PG", "unrated": "block", "actions": ["notify", "alert", "stop"]},
        {"type": "quota", "minutes": 120, "per": "day", "actions": ["notify", "stop"]},
        {"type": "quota", "titles": 20, "per": "month", "actions": ["alert"]},
        {"type": "library", "block": ["Adult Movies"], "actions": ["stop"]}
      ]
    },
    {"name": "Parents", "devices": [], "accounts": ["admin"], "restrictions": []}
  ],
  "unknown_devices": {"actions": ["notify"]},
  "settings": {"stop_message": "Time's up! Ask a parent if you think this is a mistake.", "grace_seconds": 0}
}
"""

IPAD = "C5B092C3-B261-4344-A09F-A6939E10A468"
