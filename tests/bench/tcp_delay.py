#!/usr/bin/env python3
"""tcp_delay.py: a TCP relay on loopback that behaves like a path with a round-trip time.

    tcp_delay.py --upstream 127.0.0.1:PORT --delay-ms ONE_WAY --port-file F

The client's connect() completes at once on loopback, so the relay charges the missing handshake to
the first bytes: they reach the upstream after a full RTT plus one way (as if sent after SYN,
SYN-ACK); every later chunk, and every reply chunk, after one way. An upstream that refuses the
connection makes the relay reset the client after one RTT (a closed port answering SYN with RST).
Counts connections and prints them to stderr on SIGTERM. Loopback only.
"""
import asyncio
import signal
import socket
import struct
import sys


async def main():
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    host, port = args["--upstream"].rsplit(":", 1)
    one_way = float(args.get("--delay-ms", "10")) / 1000
    loop = asyncio.get_running_loop()
    stats = {"connections": 0, "refused": 0}

    async def pump(reader, writer, first_extra):
        """Copy reader to writer, each chunk delivered one_way (+first_extra for the first) after it arrived."""
        queue = asyncio.Queue()

        async def deliver():
            while True:
                when, data = await queue.get()
                delay = when - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if data is None:
                    try:
                        writer.write_eof()
                    except OSError:
                        pass
                    return
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(deliver())
        extra = first_extra
        try:
            while True:
                data = await reader.read(65536)
                await queue.put((loop.time() + one_way + extra, data or None))
                extra = 0
                if not data:
                    break
            await sender
        except (ConnectionError, OSError):
            sender.cancel()

    async def handle(creader, cwriter):
        stats["connections"] += 1
        try:
            ureader, uwriter = await asyncio.open_connection(host, int(port))
        except OSError:
            stats["refused"] += 1
            await asyncio.sleep(2 * one_way)
            sock = cwriter.get_extra_info("socket")
            if sock is not None:  # RST, not FIN: a refused connection
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            cwriter.close()
            return
        try:
            await asyncio.gather(pump(creader, uwriter, 2 * one_way), pump(ureader, cwriter, 0))
        finally:
            for w in (uwriter, cwriter):
                try:
                    w.close()
                except OSError:
                    pass

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    me = server.sockets[0].getsockname()[1]
    pf = args["--port-file"]
    open(pf + ".tmp", "w").write(f"{me}\n")
    import os
    os.rename(pf + ".tmp", pf)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with server:
        await stop.wait()
    print(f"tcp_delay: connections {stats['connections']} refused {stats['refused']}", file=sys.stderr)


asyncio.run(main())
