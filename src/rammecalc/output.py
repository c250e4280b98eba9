"""Where rammecalc's output goes, and text made safe for it: always written, always well-formed.

Three things live here, each once, so that no print has to think about them:

* **Safe text.** A label, message or file name can hold anything (the loader refuses control characters in
  labels, but the API builds models directly, and a file name is whatever the file system allows). Before it
  reaches a terminal, a log, an XML report or a workflow command, :func:`visible` shows every character that
  could act instead of print (ESC, NUL, CR, newline, the other C0 and C1 controls, DEL, Unicode line and
  paragraph separators, bidirectional overrides, and bytes of a file name that are not UTF-8) as a backslash
  escape (``\\x1b``, ``\\n``, ``\\u2028``, ``\\xff``). What it returns is one line of text that XML 1.0 can
  carry, so one problem stays one line and a label cannot start a line of its own (``::error``…).
  :func:`workflow_data` and :func:`workflow_property` add GitHub's own escapes for workflow commands.
  The escapes are for reading, not reversible (a backslash is not doubled, so Windows paths stay readable);
  the JSON formats carry the exact text.

* **Any encoding.** Standard output and error keep their encoding (a Windows code page, ``ascii``, whatever
  ``PYTHONIOENCODING`` says), because that is what the terminal or the next program decodes; writing UTF-8
  into a cp1252 console would garble every ``æøå``. What the encoding cannot carry is written by the
  ``rammecalc`` error handler instead of raising: the minus sign ``−`` as ``-`` (so ``−127`` never becomes
  ``?127``), the narrow and no-break spaces of the number format as spaces, box-drawing lines as ``-``,
  ``|`` and ``+``, dashes as ``-``, and anything else as a backslash escape (``\\xe6`` for ``æ`` in
  ``ascii``). Each figure keeps its width, so tables stay aligned. Files written with ``--output`` are
  always UTF-8.

* **Streams and files.** :func:`echo` writes to standard output or error; when the reader has gone (``| head
  -1``) the rest of the output is dropped quietly and the run ends with the exit code it decided.
  :func:`write_file` writes ``--output``: a regular file all or nothing (a temporary file beside it, renamed
  over it when complete, keeping the file's mode), a symlink's target the same way (the link stays a link),
  and a FIFO or a character device as a stream (never replaced by a file).

Only the standard library is imported: the CLI imports this module at start-up.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path

# ----------------------------------------------------------------------------------------------- safe text

#: What never reaches an output raw: C0 controls (tab and newline too: one field, one line), DEL, C1
#: controls, line and paragraph separators, bidirectional embeddings, overrides and isolates, surrogates (a
#: file name's bytes that are not UTF-8, as Python decodes them) and the two non-characters XML refuses.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte the file name held (b"\xff" → "\udcff")
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` as one safe line: every character that could act rather than print is shown as a
    backslash escape (``\\x1b``, ``\\n``, ``\\u2028``; a file name's undecodable byte as ``\\xff``). The result
    is plain text a terminal, a log and XML 1.0 all take as it is."""
    return _UNSAFE.sub(lambda m: _escape(m[0]), text)


def visible_lines(text: str) -> str:
    """Each line of ``text`` made :func:`visible`, the line breaks kept: for output we built line by line."""
    return "\n".join(map(visible, text.split("\n")))


def visible_path(name: str) -> str:
    """A file name as a problem's location: visible, and never the start of a workflow command (a file
    named ``::error…`` is shown as ``./::error…``, the same file)."""
    shown = visible(name)
    return "./" + shown if shown.startswith("::") else shown


def workflow_data(text: str) -> str:
    """The message of a GitHub workflow command: GitHub's escapes for ``%``, CR and LF (a message may span
    lines in the annotation), and :func:`visible` for the rest."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def workflow_property(text: str) -> str:
    """A property of a workflow command (``file=…``, ``title=…``): as data, and ``:`` and ``,`` escaped."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


# ------------------------------------------------------------------------------------------------- encodings

#: The codec error handler for output that the stream's encoding cannot carry (see the module's docstring).
ERRORS = "rammecalc"

_FALLBACK = {
    "\u2212": "-",  # minus sign: −127 → -127, never ?127
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ",  # the spaces in 9 864
    "\u00b7": "-", "\u2022": "*", "\u2026": "...", "\u00d7": "x",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2192": "->",
}
_HORIZONTAL = set("─━═╌╍┄┅┈┉╴╶╸╺")
_VERTICAL = set("│┃║╎╏┆┇┊┋╵╷╹╻")


def _fallback(char: str) -> str:
    if char in _FALLBACK:
        return _FALLBACK[char]
    code = ord(char)
    if 0x2500 <= code <= 0x257F:  # box drawing
        return "-" if char in _HORIZONTAL else "|" if char in _VERTICAL else "+"
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(map(_fallback, exc.object[exc.start:exc.end])), exc.end


codecs.register_error(ERRORS, _handler)


def json_ascii(text: str) -> str:
    """JSON text with every non-ASCII character as a ``\\uXXXX`` escape (a pair beyond the BMP): the same
    JSON, exact, and readable through any ASCII-compatible encoding. Only strings hold such characters."""
    def escape(match: re.Match) -> str:
        code = ord(match[0])
        if code < 0x10000:
            return f"\\u{code:04x}"
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"

    return _NON_ASCII.sub(escape, text)


def xml_ascii(text: str) -> str:
    """XML text with every non-ASCII character as a character reference (``&#x2212;``): the same document,
    exact, and valid under its UTF-8 declaration whatever encoding the stream has. Only text and attribute
    values hold such characters."""
    return _NON_ASCII.sub(lambda m: f"&#x{ord(m[0]):x};", text)


_NON_ASCII = re.compile("[^\x00-\x7f]")


# --------------------------------------------------------------------------------------------------- streams


def is_utf8(err: bool = False) -> bool:
    """Does standard output (or error) encode UTF-8?"""
    encoding = getattr(sys.stderr if err else sys.stdout, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:  # pragma: no cover - an encoding Python does not know
        return False


def _reader_gone(exc: OSError) -> bool:
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        return True
    return sys.platform == "win32" and exc.errno == errno.EINVAL  # a closed pipe on Windows


class QuietStream:
    """A standard stream that, once its reader has gone (``rammecalc check | head -1``), drops the rest of
    the output without a word, so the run ends with the exit code it decided: not 1 (typer's answer to a
    broken pipe), not a traceback. The stream underneath is pointed at the null device, so that Python's
    own flush at exit finds nothing to complain about. Everything else is the stream's own."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self._gone = False

    def write(self, text: str) -> int:
        if not self._gone:
            self._guard(self._stream.write, text)
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            self._guard(self._stream.flush)

    def _guard(self, action, *args) -> None:
        try:
            action(*args)
        except OSError as exc:
            if not _reader_gone(exc):
                raise
            self._gone = True
            try:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, self._stream.fileno())
                os.close(null)
            except (OSError, ValueError, AttributeError):  # not a file (tests): each write is dropped anew
                pass

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def prepare_streams() -> None:
    """Once, at start-up: standard output and error keep their encoding and write what it cannot carry by
    the ``rammecalc`` handler instead of raising, and they go quiet when their reader has gone
    (:class:`QuietStream`), whoever writes to them (rammecalc, rich, typer's help and usage errors)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=ERRORS)
            except (ValueError, OSError):  # pragma: no cover - a stream that cannot be reconfigured
                pass
        if stream is not None and not isinstance(stream, QuietStream):
            setattr(sys, name, QuietStream(stream))


def echo_data(text: str, ascii: Callable[[str], str]) -> None:
    """A machine format (JSON, JUnit XML) to standard output, exact whatever its encoding: as it is on a
    UTF-8 stream, else made ASCII by ``ascii`` (:func:`json_ascii`, :func:`xml_ascii`), which the format
    reads back to the same text (``−127`` stays ``−127``, never ``-127``)."""
    echo(text if is_utf8() else ascii(text), nl=False)


def echo(text: str = "", err: bool = False, nl: bool = True) -> None:
    """Write ``text`` (each line made :func:`visible`) to standard output, or error with ``err``, and
    flush it; quietly nothing once the reader has gone (:class:`QuietStream`)."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    if not isinstance(stream, QuietStream):  # not set up by prepare_streams (tests, embedding)
        stream = QuietStream(stream)
    text = visible_lines(text) + ("\n" if nl else "")
    try:
        stream.write(text)
    except UnicodeEncodeError:  # a stream whose errors handler is not ours
        encoding = getattr(stream, "encoding", None) or "utf-8"
        stream.write(text.encode(encoding, ERRORS).decode(encoding, "replace"))
    stream.flush()


# ----------------------------------------------------------------------------------------------------- files

#: How long ``--output FIFO`` waits for a program to open the FIFO for reading before it gives up (exit 2).
FIFO_WAIT = 10.0


class OutputError(Exception):
    """``--output`` cannot be written: a message naming the path, and what to do (exit 2, never a bug)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def write_file(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` for ``--output``, as befits what ``path`` is.

    * A regular file, or none yet: all or nothing. The text goes to a temporary file in the same folder,
      is flushed to disk, given the mode (and, where allowed, the owner) of the file it replaces, and
      renamed over it in one step. Killed at any moment, the run leaves the old file or the new one, never
      half of one (at worst a ``.NAME.….tmp`` beside it). A file that is read-only is not replaced.
    * A symlink: its target is written as above; the link stays a link.
    * A FIFO or a character device (``/dev/null``, a terminal): written as a stream, never replaced by a
      file. A FIFO is opened without blocking, and retried for up to :data:`FIFO_WAIT` seconds until a
      program reads it; a reader that stops early (``head``) ends the writing quietly, as on standard output.
    * A folder, a block device or a socket: refused.

    Raises :class:`OutputError` for anything that stops it.
    """
    write_data(path, text.encode("utf-8", ERRORS))


def write_data(path: Path, data: bytes) -> None:
    """Bytes (a workbook, a picture) to ``path`` for ``--output``, as :func:`write_file` writes text."""
    shown = visible(str(path))
    target = Path(os.path.realpath(path))  # through every symlink: the link stays, its target is written
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise OutputError(f"--output {shown}: {exc.strerror or exc}", "choose a file you can write to") from None
    if existing is None or stat.S_ISREG(existing.st_mode):
        _replace(target, data, existing, shown)
    elif stat.S_ISDIR(existing.st_mode):
        raise OutputError(f"--output {shown} is a folder", "name a file in it, e.g. --output "
                          f"{visible(str(Path(path) / 'rammecalc.txt'))}")
    elif stat.S_ISFIFO(existing.st_mode) or stat.S_ISCHR(existing.st_mode):
        _stream(target, data, stat.S_ISFIFO(existing.st_mode), shown)
    else:
        what = "a block device" if stat.S_ISBLK(existing.st_mode) else "not a file"
        raise OutputError(f"--output {shown} is {what}; rammecalc writes only files, FIFOs and character devices",
                          "choose a file")


def _replace(target: Path, data: bytes, existing: os.stat_result | None, shown: str) -> None:
    import tempfile

    directory = target.parent
    if not directory.is_dir():
        raise OutputError(f"--output {shown}: the folder {visible(str(directory))} does not exist",
                          "create it first, or choose a folder that exists")
    if existing is not None and not os.access(target, os.W_OK):
        raise OutputError(f"--output {shown}: the file is read-only", "make it writable, or choose another name")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"--output {shown}: cannot create a file in the folder {visible(str(directory))} "
                          f"({_reason(exc)})", "choose a folder you can write to") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))  # 0600 stays 0600
            if hasattr(os, "chown") and (existing.st_uid, existing.st_gid) != _owner(temporary):
                try:
                    os.chown(temporary, existing.st_uid, existing.st_gid)
                except OSError:
                    pass  # only the superuser may give a file away: the new file is then the writer's
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file (mkstemp makes it private)
        try:
            os.replace(temporary, target)
        except PermissionError:
            raise OutputError(f"--output {shown}: the file cannot be replaced (permission denied)",
                              "is the file open in another program, such as Excel? Close it and run again, or "
                              "choose another name") from None
    except OSError as exc:
        raise OutputError(f"--output {shown}: cannot write it ({_reason(exc)})",
                          "choose a folder you can write to") from None
    finally:
        if os.path.lexists(temporary):
            try:
                os.unlink(temporary)
            except OSError:  # pragma: no cover - removed meanwhile
                pass


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


def _reason(exc: OSError) -> str:
    return "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc)).lower()


def _stream(target: Path, data: bytes, fifo: bool, shown: str) -> None:
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    nonblock = getattr(os, "O_NONBLOCK", 0) if fifo else 0
    deadline = time.monotonic() + FIFO_WAIT
    while True:
        try:
            fd = os.open(target, flags | nonblock)
            break
        except OSError as exc:
            if fifo and exc.errno == errno.ENXIO:  # no reader yet
                if time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise OutputError(f"--output {shown}: no program opened the FIFO for reading within "
                                  f"{FIFO_WAIT:g} seconds", f"start the reader first (e.g. 'cat {shown} &'), or "
                                  "write to a file") from None
            raise OutputError(f"--output {shown}: cannot open it for writing ({_reason(exc)})",
                              "choose a file you can write to") from None
    try:
        if nonblock:
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~nonblock)  # now wait for the reader
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        if not _reader_gone(exc):
            raise OutputError(f"--output {shown}: cannot write it ({_reason(exc)})",
                              "choose a file you can write to") from None
    finally:
        os.close(fd)
