"""Every public name of the pure-Python modules is documented and typed.

They are typed inline (py.typed), not by a .pyi beside them, which would
shadow the source for type checkers; this is the check stubtest makes of
_charter.pyi: every exported name exists, and every class and function
has a docstring.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

MODULES = [
    "charter.aio",
    "charter.decorators",
    "charter.tools",
    "charter.mcp",
    "charter.openai_agents",
    "charter.langchain",
    "charter.fastapi",
]


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_is_documented(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__, f"{name} has no module docstring"
    exported = getattr(module, "__all__", None)
    assert exported, f"{name} has no __all__"
    undocumented = []
    for attr in exported:
        value = getattr(module, attr)  # AttributeError: __all__ names a missing name
        if inspect.isclass(value) or inspect.isfunction(value):
            if value.__module__ == name and not inspect.getdoc(value):
                undocumented.append(attr)
            if inspect.isclass(value) and value.__module__ == name:
                for member, fn in vars(value).items():
                    if not member.startswith("_") and inspect.isfunction(fn) and not inspect.getdoc(fn):
                        undocumented.append(f"{attr}.{member}")
    assert not undocumented, f"{name}: undocumented {undocumented}"


@pytest.mark.parametrize(
    "module, framework, extra",
    [
        ("charter.mcp", "mcp", "charter[mcp]"),
        ("charter.openai_agents", "agents", "charter[openai-agents]"),
        ("charter.langchain", "langchain_core", "charter[langchain]"),
        ("charter.fastapi", "fastapi", "charter[fastapi]"),
    ],
)
def test_without_its_framework_an_integration_says_which_extra_to_install(
    module: str, framework: str, extra: str
) -> None:
    # A fresh interpreter where the framework cannot be imported; charter itself
    # imports no framework, only the integration module does.
    code = (
        "import sys\n"
        f"sys.modules[{framework!r}] = None\n"
        "import charter\n"
        f"assert {framework!r} not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "try:\n"
        f"    import {module}\n"
        "except ImportError as e:\n"
        "    print(e)\n"
        "else:\n"
        "    print('imported')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert f"pip install '{extra}'" in out.stdout, out.stdout
