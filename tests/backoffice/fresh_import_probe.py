"""Import each class or function the settings name, each first thing after django.setup().

Run as a script by tests/backoffice/test_fresh_imports.py with the settings module to check. A
server start imports these in an order that depends on the request, the command and the
database; an import cycle shows only when its module comes first. So each path is imported in
its own child, forked right after setup (what a fresh interpreter would hold, without paying
one interpreter per path). Prints one line per failure and exits 1 when any failed.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

import django

DOTTED = re.compile(r"^[a-z_]\w*(\.\w+)*[.:]\w+$")


def named_paths(value: Any) -> Iterator[str]:
    """Every string in the settings (nested in lists and dicts) shaped like a dotted path."""
    if isinstance(value, str):
        if DOTTED.match(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from named_paths(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from named_paths(item)


def resolve(path: str) -> object:
    """The object at `path` (`pkg.module.Class.Inner`, `pkg.module:Class` or a module)."""
    parts = path.replace(":", ".").split(".")
    for split in range(len(parts), 0, -1):
        module_name = ".".join(parts[:split])
        try:
            found = importlib.util.find_spec(module_name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            continue
        target: object = importlib.import_module(module_name)
        for attribute in parts[split:]:
            target = getattr(target, attribute)
        return target
    raise ImportError(f"no module in {path!r}")


def probe(path: str) -> str | None:
    """Import `path` in a child forked from this process; the child's error, or None."""
    read, write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: report and leave without running the parent's cleanup
        os.close(read)
        message = b""
        try:
            resolve(path)
        except BaseException as error:  # every failure is the answer
            message = f"{type(error).__name__}: {error}".encode()
        os.write(write, message)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    return message or None


def main() -> int:
    django.setup()
    from django.conf import settings

    named = (
        path
        for name in dir(settings)
        if name.isupper()
        for path in named_paths(getattr(settings, name))
    )
    # Strings of that shape that name no module ("auth.User") are not paths.
    paths = [path for path in dict.fromkeys(named) if importlib.util.find_spec(path.split(".")[0])]
    failures = [f"{path}: {error}" for path in paths if (error := probe(path))]
    # allauth imports the login stages its adapter names only while it serves a sign-in, when
    # the URLconf (and allauth's own flows) are loaded: check them that way.
    importlib.import_module(settings.ROOT_URLCONF)
    from allauth.account.adapter import get_adapter

    stages = get_adapter().get_login_stages()
    failures += [f"{stage}: {error}" for stage in stages if (error := probe(stage))]
    sys.stdout.write("".join(f"{line}\n" for line in failures))
    sys.stdout.write(f"checked {len(paths)} paths and {len(stages)} login stages\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
