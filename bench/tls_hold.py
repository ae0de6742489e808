#!/usr/bin/env python3
"""Hold N idle connections (TLS unless --plain) to a running vigild on
127.0.0.1:PORT and print the server's RSS growth per connection.

    tls_hold.py PORT N VIGILD_PID [--plain]

Run vigild with a long --idle-timeout and `ulimit -n` above N on both sides.
"""
import asyncio
import ssl
import sys


def rss_kb(pid):
    with open(f'/proc/{pid}/status') as status:
        for line in status:
            if line.startswith('VmRSS'):
                return int(line.split()[1])
    return 0


async def main(port, count, pid, plain):
    ctx = None
    if not plain:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # loopback measurement, the certificate is the test's own
    before = rss_kb(pid)
    writers = []
    dialing = asyncio.Semaphore(100)

    async def one():
        async with dialing:
            _, writer = await asyncio.open_connection('127.0.0.1', port, ssl=ctx)
            writers.append(writer)

    await asyncio.gather(*[one() for _ in range(count)])
    await asyncio.sleep(1.5)  # let the server settle its buffers
    after = rss_kb(pid)
    print(f"connections={len(writers)} rss_before_kb={before} rss_after_kb={after} "
          f"bytes_per_connection={(after - before) * 1024 / len(writers):.0f}")


if __name__ == '__main__':
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), '--plain' in sys.argv[4:]))
