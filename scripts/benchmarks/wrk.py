"""wrk, a C load generator, driving a served app: the client's own CPU barely competes with
the server's on this 2-core machine, as a Python client's would."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

WRK_SCRIPT = """
local counter = 0
function setup(thread)
  thread:set("number", counter)
  counter = counter + 1
end
function init(args)
  paths = args
  i = 0
end
function request()
  i = i + 1
  local path = paths[(number % #paths) + 1]
  if method == "POST" then
    local body = string.format('{"period": "2024-01", "numerator": %d, "denominator": 20}', 10 + i % 2)
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end
function done(summary, latency, requests)
  io.write(string.format('\\nRESULT {"requests": %d, "seconds": %f, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50": %f, "p99": %f}\\n', summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass(frozen=True)
class Load:
    """What a load run measured: requests done, seconds, latencies (ms), failures."""

    requests: int
    seconds: float
    p50: float
    p99: float
    failures: int


def load(base: str, clients: int, seconds: float, method: str, paths: list[str], token: str) -> Load:
    """`clients` connections, each on its own thread of wrk (a C load generator, so the
    client's own CPU barely competes with the server's), each sending to its own path."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError(
            "the HTTP benchmark needs wrk (Debian: apt-get install wrk); scripts/bench installs it"
        )
    headers = f'headers = {{["Authorization"] = "Bearer {token}", ["Content-Type"] = "application/json"}}\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'method = "{method}"\n{headers}{WRK_SCRIPT}')
    try:
        run = subprocess.run(
            [wrk, f"-t{clients}", f"-c{clients}", f"-d{max(seconds, 1):g}s", "--timeout", "10s",
             "-s", script.name, base, "--", *paths],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    found = re.search(r"^RESULT (\{.*\})$", run.stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no result: {run.stdout[-500:]} {run.stderr[-500:]}")
    figures = json.loads(found.group(1))
    return Load(figures["requests"], figures["seconds"], figures["p50"], figures["p99"],
                figures["non2xx"] + figures["socket_errors"])  # fmt: skip
