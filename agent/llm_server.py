"""The bundled model's OpenAI-compatible server, run by Switchboard in a child process.

llama.cpp's own server (xllamacpp, in-process in the child) listens on a local port; the
child is ours: :class:`LocalModelServer` starts it, waits until ``/health`` answers, warms the
prompt cache with one tiny request, and stops it (terminate, then kill) on :meth:`stop`.
A child process keeps ~2 GB of model memory and the CPU-bound decoding away from the app's
event loop, and makes "leave no process running" a matter of one ``terminate``.

Run directly: ``python -m agent.llm_server --model FILE --port N [--threads 2 --ctx 4096]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import httpx

from agent.local_model import ensure_local_model
from switchboard.settings import Settings


class LocalServerError(RuntimeError):
    """The local model server did not start."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalModelServer:
    """One child process serving the bundled model at ``base_url``."""

    def __init__(
        self, model: Path, port: int, threads: int = 2, ctx: int = 4096, slots: int = 1
    ) -> None:
        self.model = model
        self.port = port
        self.threads = threads
        self.ctx = ctx
        self.slots = slots
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self._proc: asyncio.subprocess.Process | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalModelServer:
        """A server for the assembled bundled model (assembling it on first use)."""
        cfg = settings.agent
        model = ensure_local_model(settings.cache_dir)
        return cls(
            model, cfg.local_port or free_port(), cfg.local_threads, cfg.local_ctx, cfg.local_slots
        )

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._proc.pid if self._proc is not None else None

    async def start(self, timeout_s: float = 180.0, warm_up: bool = True) -> None:
        """Start the child and wait until it answers (and has read a first prompt)."""
        cmd = [sys.executable, "-m", "agent.llm_server", "--model", str(self.model)]
        cmd += ["--port", str(self.port), "--threads", str(self.threads), "--ctx", str(self.ctx)]
        cmd += ["--slots", str(self.slots)]
        self._proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            stdin=asyncio.subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=5.0) as http:
            while True:
                if self._proc.returncode is not None:
                    raise LocalServerError(f"model server exited with {self._proc.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"http://127.0.0.1:{self.port}/health")).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    await self.stop()
                    raise LocalServerError("model server did not become ready in time")
                await asyncio.sleep(0.2)
            if warm_up:
                body = {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
                await http.post(f"{self.base_url}/chat/completions", json=body, timeout=timeout_s)

    async def stop(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL after 5 s) and reap it."""
        proc, self._proc = self._proc, None
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 5.0)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def _die_with_parent() -> None:
    """Linux: get SIGTERM when the parent dies, so a crashed app leaves no model server."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def serve(model: Path, port: int, threads: int, ctx: int, slots: int = 1) -> None:
    """Serve until SIGTERM/SIGINT (the child side of :class:`LocalModelServer`).

    Each of the ``slots`` gets the whole context (``n_ctx`` is per slot here) and keeps its
    own prompt cache: the planner and the answer reader pin one each."""
    import xllamacpp

    _die_with_parent()
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.use_jinja = True
    params.n_ctx = ctx * slots
    params.n_parallel = slots
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.sampling.temp = 0.0
    params.port = port
    params.hostnames = ["127.0.0.1"]
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = xllamacpp.Server(params)
    try:
        stop.wait()
    finally:
        del server


def main(argv: list[str] | None = None) -> None:
    """Command-line entry of the child process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--slots", type=int, default=1)
    args = parser.parse_args(argv)
    serve(args.model, args.port, args.threads, args.ctx, args.slots)


if __name__ == "__main__":
    main()
