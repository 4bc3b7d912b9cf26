"""A real SMTP server on loopback for the tests: aiosmtpd (from PyPI), each message it receives written as
one JSON file in the folder named by the first argument: the envelope sender and recipients, the message
as sent (`data`), and its plain-text body decoded (`text`, whatever transfer encoding the sender chose).

Without a second argument it listens on a free port, prints it on the first line of its output, and stops
when its standard input closes (the test that started it ends). With a port as the second argument it
listens there until it is terminated (the end-to-end suite's web server)."""

import asyncio
import email
import email.policy
import itertools
import json
import pathlib
import signal
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder: pathlib.Path):
        self.folder = folder
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        number = next(self.numbers)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = parsed.get_body(("plain",))
        message = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
            "text": body.get_content() if body is not None else "",
        }
        partial = self.folder / f"{number:05}.part"
        partial.write_text(json.dumps(message))
        partial.rename(self.folder / f"{number:05}.json")
        return "250 OK"


async def main() -> None:
    folder = pathlib.Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    fixed_port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    loop = asyncio.get_running_loop()
    sink = Sink(folder)
    server = await loop.create_server(lambda: SMTP(sink), "127.0.0.1", fixed_port)
    print(server.sockets[0].getsockname()[1], flush=True)
    if fixed_port:
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    else:
        await loop.run_in_executor(None, sys.stdin.read)
    server.close()


asyncio.run(main())
