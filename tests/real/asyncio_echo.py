"""asyncio_echo.py server PORT | client PORT CLIENTS - Python asyncio streams.

server: an echo server (asyncio.start_server): every line is echoed back;
a line "QUIT" from any client closes the server and the process exits 0
once every connection is done.

client: CLIENTS concurrent connections, each sending 20 lines of sizes up to
256 kB (some in several writes, some after a pause) and checking the echo,
then one connection sending a 4 MB line; prints a deterministic summary."""
import asyncio
import hashlib
import sys


async def serve(port):
    done = asyncio.Event()
    tasks = set()

    async def handle(reader, writer):
        tasks.add(asyncio.current_task())
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                if line == b"QUIT\n":
                    done.set()
                    break
                writer.write(line)
                await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()
            tasks.discard(asyncio.current_task())

    server = await asyncio.start_server(handle, "127.0.0.1", port, limit=8 << 20)
    async with server:
        await done.wait()
    server.close()
    await server.wait_closed()
    if tasks:
        await asyncio.wait(tasks, timeout=10)


async def one_client(port, n):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=8 << 20)
    digest = hashlib.sha256()
    ok = 0
    for i in range(20):
        size = ((n * 7919 + i * 104729) % (256 << 10)) if i % 5 == 4 else (n + i) * 13 % 2000
        line = bytes(97 + (n + i + j) % 26 for j in range(size)) + b"\n"
        if i % 3 == 0:
            half = len(line) // 2
            writer.write(line[:half])
            await writer.drain()
            await asyncio.sleep(0.001)
            writer.write(line[half:])
        else:
            writer.write(line)
        await writer.drain()
        back = await reader.readline()
        ok += back == line
        digest.update(back)
    writer.close()
    await writer.wait_closed()
    return ok, digest.hexdigest()


async def clients(port, count):
    results = await asyncio.wait_for(
        asyncio.gather(*(one_client(port, n) for n in range(count))), 60)
    print("clients:", count, "lines echoed intact:", sum(ok for ok, _ in results))
    total = hashlib.sha256("".join(d for _, d in results).encode()).hexdigest()
    print("digest of all echoes:", total)
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=8 << 20)
    big = bytes(65 + i % 50 for i in range(4 << 20)) + b"\n"
    writer.write(big)
    await writer.drain()
    back = await asyncio.wait_for(reader.readline(), 30)
    print("4 MB line echoed intact:", back == big)
    writer.write(b"QUIT\n")
    await writer.drain()
    print("server closed the control connection:", await reader.read() == b"")
    writer.close()
    await writer.wait_closed()


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "server":
        asyncio.run(serve(port))
    else:
        asyncio.run(clients(port, int(sys.argv[3])))
