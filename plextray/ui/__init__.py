"""The tray app's user interface: pystray icon, Tk settings window, all on one dispatcher.

Nothing outside this package (and plextray.notify) may import tkinter, pystray, PIL or plyer;
tests/project/test_architecture.py enforces it so the headless service never needs a display.
"""
