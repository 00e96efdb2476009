"""The README quickstart and the example run as they are, and the bench runs."""

from __future__ import annotations

import pathlib
import re
import runpy
import subprocess
import sys

import pytest

from conftest import ROOT

README = ROOT / "bindings" / "python" / "README.md"


def quickstart() -> str:
    text = README.read_text(encoding="utf-8")
    block = re.search(
        r"<!-- quickstart:begin -->\s*```python\n(.*?)```\s*<!-- quickstart:end -->", text, re.S
    )
    assert block, "README.md has no quickstart python block between the markers"
    return block.group(1)


def test_readme_quickstart_runs(capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(quickstart(), str(README), "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    assert "refunded 4200 on A-1" in out
    assert "denied: ['caveat 3 is false: args.amount <= 5000']" in out
    assert "2 receipts verified" in out


def test_quickstart_type_checks(tmp_path: pathlib.Path) -> None:
    """mypy --strict on the quickstart as a module (the examples run it in the script)."""
    mypy = pytest.importorskip("mypy.api")
    path = tmp_path / "quickstart.py"
    path.write_text(quickstart(), encoding="utf-8")
    out, err, status = mypy.run(["--strict", "--no-incremental", str(path)])
    assert status == 0, out + err


def test_tool_gating_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(ROOT / "examples" / "python" / "tool_gating.py"), run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("refunded 40 on A-1001 for refund-bot")
    assert out[1] == "denied: [('caveat_failed', 4)]"
    assert out[2] == "stolen token denied: proof_required"
    assert out[4] == "replayed permit refused: replayed"
    assert out[5] == "audit bundle verified: 4 receipts, seq 0..3"


def test_bench_smoke() -> None:
    bench = ROOT / "bindings" / "python" / "bench.py"
    run = subprocess.run([sys.executable, str(bench), "--quick"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "check, 4 caveats" in run.stdout


def test_agent_example_runs_offline_through_the_agents_sdk(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(ROOT / "examples" / "python" / "agent_shop.py"), run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == 'allowed lookup_order({"order":"A-1"}) -> order A-1: delivered'
    assert out[1].startswith('allowed refund({"order":"A-1","amount":4200}) -> refunded 4200')
    assert out[2].startswith('DENIED  refund({"order":"A-1","amount":9000}) -> denied: caveat_failed')
    assert out[3].startswith('DENIED  close_account({"customer":"c-42"}) -> denied: caveat_failed')
    assert out[5] == "tool functions that ran: ['lookup_order A-1', 'refund A-1 4200']"
    assert out[6] == "audit: 4 receipts verified, one per decision"


def integration_blocks() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    return re.findall(r"<!-- integration:(\w+) -->\s*```python\n(.*?)```", text, re.S)


def test_readme_has_a_runnable_example_per_integration() -> None:
    assert sorted(name for name, _ in integration_blocks()) == [
        "asgi", "fastapi", "langchain", "langgraph", "mcp", "openai_agents",
    ]


@pytest.mark.parametrize("name", ["asgi", "fastapi", "langchain", "langgraph", "mcp", "openai_agents"])
def test_readme_integration_example_runs(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    [code] = [c for n, c in integration_blocks() if n == name]
    exec(compile(code, f"{README}:{name}", "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    assert "allowed" in out and "denied" in out, out
