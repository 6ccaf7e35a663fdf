"""Changing the list: schema.py (a change request's JSON schema), stream.py (JSON read as it
arrives: whether it ended, the text of its "reply"), reading.py (proposed changes read into commands, each checked), commands.py
(changes as commands with apply and inverse) and proposals.py (a proposal's apply, discard, undo)."""
