"""An MCP client runner that carries a Charter capability and a fresh holder proof per call.

The calling half of the cross-language MCP test (contract/wire.md): it
starts any MCP server command over stdio with the real MCP client, makes the
calls given, and prints one JSON line per call, with the same arguments and
output as examples/node/mcp-client.mjs, so a test in any language can drive a
server written in any other:

  python examples/python/mcp_wire_client.py --capability TOKEN [--holder-key HEX]
      [--audience AUD] [--agent NAME] --call TOOL JSON [--call TOOL JSON ...]
      -- COMMAND [ARG...]

--holder-key is the hex seed of the holder's signing key (for a holder-bound
capability; a proof is made per call for --audience, default
tools.shop.example). --agent (default shopper-7) is the agent the proof is
made for and is sent as dev.charter/agent. Each output line is
  {"tool", "allowed", "structuredContent", "text", "denial"}
where denial is the server's _meta["dev.charter/denial"] or null. The server
inherits this process's environment and stderr. Exit status: 0 when every
call got a result (allowed or denied), 2 on a usage or connection error.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, NoReturn

import charter
from charter.mcp import CapabilityCaller, denial_of
from mcp import Client, StdioServerParameters


def usage(message: str) -> NoReturn:
    """Exits 2 saying what is wrong."""
    print(f"mcp-client: {message}", file=sys.stderr)
    sys.exit(2)


@dataclass
class Options:
    """The parsed command line."""

    capability: str = ""
    holder_key: str = ""
    audience: str = "tools.shop.example"
    agent: str = "shopper-7"
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    command: list[str] = field(default_factory=list)


def parse(argv: list[str]) -> Options:
    """Parses ``argv`` as the module docstring describes."""
    opts = Options()
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            opts.command = argv[i + 1 :]
            break
        if a == "--call":
            if i + 2 >= len(argv):
                usage("--call needs a tool name and its JSON arguments")
            try:
                args = json.loads(argv[i + 2])
            except ValueError as e:
                usage(f"--call {argv[i + 1]}: the arguments are not JSON: {e}")
            if not isinstance(args, dict):
                usage(f"--call {argv[i + 1]}: the arguments must be a JSON object")
            opts.calls.append((argv[i + 1], args))
            i += 3
            continue
        if a in ("--capability", "--holder-key", "--audience", "--agent"):
            if i + 1 >= len(argv):
                usage(f"{a} needs a value")
            setattr(opts, a[2:].replace("-", "_"), argv[i + 1])
            i += 2
            continue
        usage(f"unknown argument {a}")
    if not opts.capability:
        usage("--capability TOKEN is required")
    if not opts.command:
        usage("give the server command after --")
    return opts


async def run(opts: Options) -> None:
    """Connects, makes each call, prints one line per call."""
    holder = (
        charter.Holder(charter.SigningKey.from_bytes(bytes.fromhex(opts.holder_key)))
        if opts.holder_key
        else None
    )
    params = StdioServerParameters(command=opts.command[0], args=opts.command[1:], env=dict(os.environ))
    async with Client(params) as client:
        caller = CapabilityCaller(
            client, opts.capability, agent=opts.agent, holder=holder, audience=opts.audience
        )
        for name, args in opts.calls:
            result = await caller.call_tool(name, args)
            text = "\n".join(c.text for c in result.content if getattr(c, "type", None) == "text")  # type: ignore[union-attr]
            line = {
                "tool": name,
                "allowed": not result.is_error,
                "structuredContent": result.structured_content,
                "text": text,
                "denial": denial_of(result),
            }
            print(json.dumps(line), flush=True)


def main(argv: list[str]) -> int:
    """The command line entry point."""
    opts = parse(argv)
    try:
        asyncio.run(run(opts))
    except (OSError, ConnectionError) as e:
        usage(f"could not start or reach {' '.join(opts.command)}: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
