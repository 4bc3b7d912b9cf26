"""A real SMTP server on loopback for the tests: aiosmtpd (from PyPI) on a free port, each message it
receives written as one JSON file (envelope sender, recipients, the message as sent) in the folder named
by the first argument. It prints its port on the first line of its output, and stops when its standard
input closes (the test that started it ends)."""

import asyncio
import itertools
import json
import pathlib
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder: pathlib.Path):
        self.folder = folder
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        number = next(self.numbers)
        message = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
        }
        partial = self.folder / f"{number:05}.part"
        partial.write_text(json.dumps(message))
        partial.rename(self.folder / f"{number:05}.json")
        return "250 OK"


async def main() -> None:
    folder = pathlib.Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    loop = asyncio.get_running_loop()
    sink = Sink(folder)
    server = await loop.create_server(lambda: SMTP(sink), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


asyncio.run(main())
