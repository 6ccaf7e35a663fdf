"""Checks that a test fake offers what a port (a typing.Protocol in app/) promises, call for call.

`isinstance` against a runtime-checkable Protocol only looks for the names; this also compares each
method's parameters (names, kinds and defaults), so a fake cannot drift from the port unnoticed.
"""

import inspect


def port_methods(protocol):
    """The public methods a Protocol class declares, by name."""
    return {
        name: member
        for name, member in vars(protocol).items()
        if not name.startswith("_") and inspect.isfunction(member)
    }


def _parameters(function):
    return [
        (p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()
    ][1:]  # without self


def conformance_problems(fake, protocol):
    """What `fake` (a class) lacks or declares differently from `protocol`; [] when it conforms."""
    problems = []
    for name, declared in port_methods(protocol).items():
        offered = getattr(fake, name, None)
        if not callable(offered):
            problems.append(f"{fake.__name__} has no method {name}()")
        elif _parameters(offered) != _parameters(declared):
            problems.append(
                f"{fake.__name__}.{name}{inspect.signature(offered)} differs from "
                f"{protocol.__name__}.{name}{inspect.signature(declared)}"
            )
    return problems


def assert_conforms(fake, protocol):
    problems = conformance_problems(fake, protocol)
    assert not problems, "\n".join(problems)
