"""How values and the evaluator's notes read on screen, shared by the canvas, the docks and the
walkthrough: tensors printed as torch prints them, typed values parsed, notes in the interface's
language. Nothing here builds a widget (QtCore's translation at most), so every layer may use it.
"""
