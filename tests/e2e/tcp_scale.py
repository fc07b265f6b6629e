#!/usr/bin/env python3
"""Many concurrent TCP connections, each exchanging data (asyncio).

usage: tcp_scale.py server ADDR PORT
       tcp_scale.py client HOST PORT N BYTES PARALLEL HOLD_FILE DEADLINE_S

server: an echo server (the upstream of a tcp_proxy listener): sends back
  what it reads, closes when the peer closes. Runs until killed.
client: opens N connections to HOST:PORT, at most PARALLEL handshakes at
  a time. On each, as soon as it is open: sends BYTES bytes unique to the
  connection and reads them back. When all N are open and have echoed, it
  prints "established N" and waits for HOLD_FILE to exist (the test looks
  at meshdp meanwhile); then every connection exchanges BYTES more, closes
  its side, reads to the end and closes, PARALLEL connections at a time
  (bursts of 10,000 packets would overflow the receive rings). Prints "done N ..." and the
  times. Every step is bounded by DEADLINE_S in all: a connection that
  stalls fails the run, it never hangs.
"""
import asyncio
import os
import resource
import sys
import time


async def serve(addr, port):
    async def echo(reader, writer):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(echo, addr, port, backlog=4096)
    async with server:
        await server.serve_forever()


async def exchange(reader, writer, payload):
    writer.write(payload)
    await writer.drain()
    got = await reader.readexactly(len(payload))
    if got != payload:
        raise RuntimeError("echo differs")


async def client(host, port, n, nbytes, parallel, hold_file, limit):
    t0 = time.time()
    deadline = t0 + limit
    sem = asyncio.Semaphore(parallel)
    conns = [None] * n
    errors = []

    async def open_one(i):
        payload = i.to_bytes(4, "big") + os.urandom(nbytes - 4)
        async with sem:
            reader, writer = await asyncio.open_connection(host, port)
        conns[i] = (reader, writer)
        await exchange(reader, writer, payload)

    async def close_one(i):
        reader, writer = conns[i]
        payload = i.to_bytes(4, "big") + os.urandom(nbytes - 4)
        async with sem:
            await exchange(reader, writer, payload)
            writer.write_eof()
            rest = await reader.read()
            if rest:
                raise RuntimeError(f"{len(rest)} bytes after the echo")
            writer.close()
            await writer.wait_closed()

    async def run_all(fn, what):
        tasks = [asyncio.create_task(fn(i)) for i in range(n)]
        done, pending = await asyncio.wait(tasks, timeout=max(1.0, deadline - time.time()))
        for t in pending:
            t.cancel()
        failed = [t for t in done if t.exception() is not None]
        if pending or failed:
            ex = failed[0].exception() if failed else None
            raise SystemExit(f"{what}: {len(done) - len(failed)} of {n} done, "
                             f"{len(failed)} failed ({ex!r}), {len(pending)} unfinished "
                             f"after {time.time() - t0:.1f} s")

    await run_all(open_one, "open")
    t1 = time.time()
    print(f"established {n} {t1 - t0:.2f}", flush=True)
    while not os.path.exists(hold_file):
        if time.time() > deadline:
            raise SystemExit("hold: no go-ahead by the deadline")
        await asyncio.sleep(0.05)
    t2 = time.time()
    await run_all(close_one, "exchange and close")
    t3 = time.time()
    print(f"done {n} open {t1 - t0:.2f} s, exchange+close {t3 - t2:.2f} s", flush=True)


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if len(sys.argv) == 4 and sys.argv[1] == "server":
        asyncio.run(serve(sys.argv[2], int(sys.argv[3])))
    elif len(sys.argv) == 9 and sys.argv[1] == "client":
        a = sys.argv
        asyncio.run(client(a[2], int(a[3]), int(a[4]), int(a[5]), int(a[6]), a[7], float(a[8])))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
