"""One message's request: intent.py (what the message asks, read in Python), plan.py (the one
request it gets, and how its answer is read), prompts.py and list_prompt.py (an answer's messages,
fitted to the context), checks.py (whether a finished answer reads as one) and loop_guard.py (the
guard that cuts off a reply that loops)."""
