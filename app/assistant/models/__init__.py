"""The models: catalogue.py (every model the app knows of, by engine), choice.py (which this device
runs, the picker's groups, the automatic choice), site.py (the site's own models.json) and shelf.py
(the models on this device, the quota check, persistence)."""
