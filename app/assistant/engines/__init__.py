"""The engines behind one port: port.py (the Engine and Device Protocols and their types),
js_adapter.py (the one adapter over each engine's JS module, assets/engines/), reports.py (each
engine's raw progress, errors and figures read into the port's types), device.py (the browser's
network, storage and the site's models.json) and sampling.py (how every engine samples)."""
