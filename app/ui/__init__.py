"""The desktop user interface: main window, docks, themes, export, and the start-up functions."""
