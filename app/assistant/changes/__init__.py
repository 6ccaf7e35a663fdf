"""Changing the list: schema.py (a change request's JSON schema), stream.py (the text of JSON read
while it streams), reading.py (proposed changes read into commands, each checked), commands.py
(changes as commands with apply and inverse) and proposals.py (a proposal's apply, discard, undo)."""
