"""The engines behind one port: names.py (the engines' names, which the port does not use), port.py (the Engine and Device Protocols and their types),
js_adapter.py (the one adapter over each engine's JS module, assets/engines/), reports.py (the
modules' one progress, error and figures shape read into the port's types), device.py (the browser's
network, storage and the site's models.json) and sampling.py (how every engine samples)."""
