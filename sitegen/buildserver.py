"""The build server: `python build.py` asks a resident process to build, when one runs.

Most of a one-page rebuild from the command line is not building: it is starting Python
and importing Jinja, YAML and the generator (about 0.1 s), then reading the cache of the
whole site from disk. So the first build of a project starts, in the background, a
process that keeps all of that in memory (the engine of the live preview: pipeline.Builder,
which still looks at every input, so its output is that of any other build). The next
`python build.py` only sends it its arguments through a socket in .cache/sitegen/ and
prints the reply: same messages, same exit status.

Only a build run from a terminal starts one (an editor's); a script, a scheduled build or
continuous integration leaves no process behind, unless SITEGEN_SERVEUR is « oui ». With
SITEGEN_SERVEUR at « non », no server is started nor asked; nor where Unix sockets are
missing. The server stops by itself after IDLE_SECONDS without a build, when its socket is
deleted (with .cache/) or when the generator's code changes (the build that saw it runs
on its own and starts a new server); `python build.py arret` (`make stop`) stops it.

This module is imported by every `python build.py`: it imports only what asking needs;
the server side imports the generator inside its functions.
"""

from __future__ import annotations

# _socket: the C module behind `socket`, which imports enum and selectors (a tenth of what
# a one-page rebuild through the server costs).
import _socket
import os
import sys

FOLDER = os.path.join(".cache", "sitegen")  # relative to the project (the current folder)
SOCKET = os.path.join(FOLDER, "serveur.sock")
LOCK = os.path.join(FOLDER, "serveur.lock")
IDLE_SECONDS = 20 * 60
LOCAL_ONLY = {"serve", "check", "nouveau", "arret", "-h", "--help", "--debug"}  # not sent
DECLINED = b"-\n"
STOP = "--arret-du-serveur"  # the request of `build.py arret` (no command line is this)
UNDECODABLE = "surrogateescape"  # file names that are not UTF-8 cross the socket unchanged


def wanted(argv: list[str]) -> bool:
    """Whether this command line may be built by a server."""
    return (_setting() not in {"0", "non", "no", "false"} and os.name == "posix"
            and hasattr(_socket, "AF_UNIX") and not LOCAL_ONLY.intersection(argv))


def _setting() -> str:
    return os.environ.get("SITEGEN_SERVEUR", "").strip().lower()


def ask(argv: list[str]) -> int | None:
    """Have the project's server build; its exit status, or None when no server answered
    (none runs, or it declined: another command, another folder, newer code)."""
    if not wanted(argv):
        return None
    try:
        reply = _send(argv)
    except KeyboardInterrupt:
        print("Interrompu : le serveur de génération termine la génération en cours "
              "(le site reste complet).", file=sys.stderr)
        return 130
    except OSError:
        return None
    try:
        status, parts = _parse_reply(reply)
    except ValueError:
        return None  # declined, or the server stopped while building
    for number, text in parts:  # in the order the build wrote them, as a terminal shows
        stream = sys.stdout if number == 1 else sys.stderr
        stream.write(text.decode(errors=UNDECODABLE))
        stream.flush()
    return status


def stop() -> int:
    """`python build.py arret`: stop this project's server, if one runs."""
    try:
        _send([STOP])
    except OSError:
        print("Aucun serveur de génération ne tourne pour ce dossier.")
        return 0
    print("Serveur de génération arrêté : la prochaine génération se fera sans lui, puis "
          "le relancera.")
    return 0


def _send(argv: list[str]) -> bytes:
    """Send a request to the server of the current folder; its whole reply (OSError when
    no server listens)."""
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        request = "\0".join([os.getcwd(), sys.executable,
                             os.environ.get("SOURCE_DATE_EPOCH", ""), *argv])
        connection.connect(SOCKET)
        connection.sendall(request.encode(errors=UNDECODABLE))
        connection.shutdown(_socket.SHUT_WR)
        return _read_all(connection)
    finally:
        connection.close()


def _parse_reply(reply: bytes) -> tuple[int, list[tuple[int, bytes]]]:
    """b"STATUS\n" then records b"1 LENGTH\n" + bytes (standard output) or b"2 …" (errors)."""
    header, _, body = reply.partition(b"\n")
    status, parts = int(header), []
    while body:
        head, _, body = body.partition(b"\n")
        number, length = (int(field) for field in head.split())
        if number not in (1, 2) or length > len(body):
            raise ValueError("not a reply")
        parts.append((number, body[:length]))
        body = body[length:]
    return status, parts


def _read_all(connection: _socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def start(argv: list[str]) -> None:
    """Start a server in the background for this project (it exits at once if one runs):
    for a build run from a terminal, or any when SITEGEN_SERVEUR is « oui »."""
    if not wanted(argv):
        return
    forced = _setting() in {"1", "oui", "yes", "true"}
    interactive = (os.isatty(1) or os.isatty(2)) and not os.environ.get("CI")
    if not (forced or interactive):
        return
    import subprocess

    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.environ.get("PYTHONPATH")
    environment = {**os.environ,
                   "PYTHONPATH": package_parent + (os.pathsep + path if path else "")}
    try:
        subprocess.Popen([sys.executable, "-m", "sitegen.buildserver", *argv],
                         env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        pass  # no server: every build runs on its own, as before


class BuildServer:
    """Answers build requests one at a time with pipeline.Builder objects kept in memory."""

    def __init__(self, idle_seconds: float, code: tuple):
        from . import cache

        self.idle_seconds, self.code = idle_seconds, code  # code: stamped before any import
        self.salt = cache.generator_salt()
        self.builders: dict[str, tuple] = {}  # options -> (Builder, stamp of its snapshot)

    def run(self, listener: _socket.socket, inode: int, warm_up: list[str]) -> None:
        """Serve until idle for idle_seconds, the socket (that inode) is gone, or the code
        changed."""
        import time

        self._warm_up(warm_up)
        listener.settimeout(min(60.0, self.idle_seconds / 4))  # to check the socket
        last_request = time.monotonic()
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                if (time.monotonic() - last_request > self.idle_seconds
                        or _inode(SOCKET) != inode):
                    return
                continue
            with connection:
                connection.settimeout(None)
                if not self._answer(connection, inode):
                    return
            last_request = time.monotonic()

    def _warm_up(self, argv: list[str]) -> None:
        """Import the render side and read the cache of the build that started us."""
        from . import schedule, stages  # noqa: F401 - imported now rather than at a request

        try:
            options = self._options(argv)
        except (SystemExit, Exception):  # noqa: BLE001 - the request will say what is wrong
            return
        self._builder(options).load()

    def _answer(self, connection: _socket.socket, inode: int) -> bool:
        """Build for one request; False when this server must stop (asked to, or its code
        is older than the files)."""
        import itertools

        from . import cache

        try:
            cwd, executable, epoch, *argv = (
                _read_all(connection).decode(errors=UNDECODABLE).split("\0"))
        except ValueError:
            return True  # not a request of build.py: the connection is closed unanswered
        if argv == [STOP] or code_stamp() != self.code or cache.generator_salt() != self.salt:
            _remove_socket(inode)  # a caller that builds builds alone, then starts a server
            connection.sendall(DECLINED)
            return False
        if (cwd != os.getcwd() or executable != sys.executable
                or not self._is_build(argv)):
            connection.sendall(DECLINED)
            return True
        status, parts = self._build(argv, epoch)
        reply = [f"{status}\n".encode()]
        for number, texts in itertools.groupby(parts, key=lambda part: part[0]):
            data = "".join(text for _, text in texts).encode(errors=UNDECODABLE)
            reply.append(f"{number} {len(data)}\n".encode() + data)
        try:
            connection.sendall(b"".join(reply))
        except OSError:
            pass  # the caller was interrupted; the build is done all the same
        self.save()  # after the answer: the next request waits for it, the caller does not
        return True

    def save(self) -> None:
        """Save the cache of the last build, and note the snapshots as we leave them."""
        for builder, _ in self.builders.values():
            builder.save()
        self.builders = {key: (builder, _snapshot_stamp(builder))
                         for key, (builder, _) in self.builders.items()}

    def _is_build(self, argv: list[str]) -> bool:
        from .cli import make_parser

        try:
            return make_parser().parse_intermixed_args(argv).commande == "build"
        except SystemExit:
            return True  # a wrong command line: answered below as the caller would

    def _build(self, argv: list[str], epoch: str) -> tuple[int, list[tuple[int, str]]]:
        """Run the command line as cli.main would; its exit status and what it wrote, in
        order: (1, text) for standard output, (2, text) for errors."""
        import contextlib

        from .cli import main

        parts: list[tuple[int, str]] = []
        previous_epoch = os.environ.pop("SOURCE_DATE_EPOCH", None)
        if epoch:
            os.environ["SOURCE_DATE_EPOCH"] = epoch
        try:
            with (contextlib.redirect_stdout(_Captured(1, parts)),
                  contextlib.redirect_stderr(_Captured(2, parts))):
                try:
                    status = main(argv, builder_for=self._builder)
                except SystemExit as exit_:  # argparse: --help or a wrong option
                    status = exit_.code if isinstance(exit_.code, int) else 2
        finally:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
            if previous_epoch is not None:
                os.environ["SOURCE_DATE_EPOCH"] = previous_epoch
        return status, parts

    def _options(self, argv: list[str]):
        from .cli import make_parser, options_from

        return options_from(make_parser().parse_intermixed_args(argv))

    def _builder(self, options):
        """The Builder kept for these options, unless another process built since."""
        from .pipeline import Builder

        key = repr(options)
        kept = self.builders.pop(key, None)
        if kept and _snapshot_stamp(kept[0]) == kept[1]:
            builder = kept[0]
        else:
            builder = Builder(options, save_later=True)
        self.builders = dict(list(self.builders.items())[-1:])  # two option sets at most
        self.builders[key] = (builder, _snapshot_stamp(builder))
        return builder


class _Captured:
    """Standard output or errors of a build, kept in order with the other one."""

    def __init__(self, number: int, parts: list[tuple[int, str]]):
        self.number, self.parts = number, parts

    def write(self, text: str) -> int:
        self.parts.append((self.number, text))
        return len(text)

    def flush(self) -> None:
        pass


def _snapshot_stamp(builder) -> tuple | None:
    return _stat(str(builder.folder / "snapshot.pickle"))


def code_stamp() -> tuple:
    """Changes when any file of the generator (or build.py) changes."""
    package = os.path.dirname(os.path.abspath(__file__))
    names = sorted(n for n in os.listdir(package) if n.endswith(".py"))
    paths = [os.path.join(package, n) for n in names]
    paths.append(os.path.join(os.path.dirname(package), "build.py"))
    return tuple((path, _stat(path)) for path in paths)


def _stat(path: str) -> tuple | None:
    """cache.stat_key, which code_stamp may not import: it stamps before any import."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _remove_socket(inode: int) -> None:
    if _inode(SOCKET) == inode:
        try:
            os.unlink(SOCKET)
        except OSError:
            pass


def _take(lock, fcntl, seconds: float = 2.0) -> bool:
    """The server's lock, waiting a little for a server with older code to finish exiting."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def _exit_on_signal(number: int, frame: object) -> None:
    raise SystemExit(0)


def serve_forever(warm_up: list[str], idle_seconds: float) -> None:
    """Run this project's build server, unless one already runs."""
    import fcntl
    import signal
    import socket

    code = code_stamp()
    os.makedirs(FOLDER, exist_ok=True)
    with open(LOCK, "a+") as lock:
        if not _take(lock, fcntl):
            return  # another server runs, or is starting
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        signal.signal(signal.SIGTERM, _exit_on_signal)  # and remove the socket, below
        if os.path.exists(SOCKET):
            os.unlink(SOCKET)  # left by a server that was killed (we hold the lock)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(SOCKET)
            os.chmod(SOCKET, 0o600)  # nobody else builds through it
            listener.listen(8)
            inode = os.stat(SOCKET).st_ino
            try:
                BuildServer(idle_seconds, code).run(listener, inode, warm_up)
            finally:
                _remove_socket(inode)
                lock.truncate(0)  # no pid: nobody mistakes a later process for us


if __name__ == "__main__":
    serve_forever(sys.argv[1:], float(os.environ.get("SITEGEN_SERVEUR_VEILLE", IDLE_SECONDS)))
    os._exit(0)
