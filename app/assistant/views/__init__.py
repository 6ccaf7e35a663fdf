"""The assistant's DOM, one module per part: chat.py (the panel: toggle, picker, progress, errors,
message box), transcript.py (questions and answers), proposal.py (the changes under an answer)
and device_models.py (the models on this device)."""
