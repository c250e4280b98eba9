"""Files: which files a run reads, opening them safely, and the names they are shown by.

Only regular files are read. A FIFO, a device or a socket named on the command line, listed by a frame
or found in a folder is a problem at its path, at once: opened without blocking and refused before a byte
is read, so a FIFO cannot hang a check and ``/dev/zero`` cannot eat the memory. A file larger than
:data:`MAX_FILE_BYTES` is refused before it is read. In a folder, a link that points nowhere or into a loop
is a problem, and a link back to a folder already being read is not followed (a warning): nothing is
skipped without a word.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from ..core.problems import Code, Problem, Severity, input_error

#: The largest file rammecalc reads. A national budget's largest table is a few hundred kilobytes; a
#: changes file of 100 000 items is about 15 MB. Past this, a file is refused before it is read.
MAX_FILE_BYTES = 32 * 1024 * 1024
SUFFIXES = (".yaml", ".yml")


def display_name(path: Path | str) -> str:
    """The path as the user would write it: relative to the working folder where it lies below it."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return absolute
    return absolute if relative.startswith("..") else relative


def display_names(paths: list[Path]) -> list[str]:
    """:func:`display_name` of each path, the folder's worked out once for all the files in it (which is most
    of the time of a warm check of thousands of files, otherwise). A file's name is its folder's joined with
    its own, which is what :func:`display_name` gives: that keeps the path as it is written (no link is
    resolved), and a file lies below the working folder exactly when its folder does."""
    folders: dict[str, str] = {}
    names = []
    posix = os.sep == "/" and os.altsep is None
    for path in paths:
        text = os.fspath(path)
        if posix:  # os.path.split, without its function calls (the folder's name is normalised below anyway)
            cut = text.rfind("/")
            folder, base = (text[:cut] or "/", text[cut + 1:]) if cut >= 0 else ("", text)
        else:
            folder, base = os.path.split(text)
        if not base or base in (".", "..") or text.startswith("//"):  # (POSIX keeps a leading '//' as it is)
            names.append(display_name(path))
            continue
        shown = folders.get(folder)
        if shown is None:
            shown = folders[folder] = display_name(folder or os.curdir)
        names.append(base if shown == os.curdir else shown + base if shown.endswith(os.sep)
                     else shown + os.sep + base)
    return names


def _special(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")


def _oserror(exc: OSError, path: Path, name: str) -> Problem:
    at = (name, 0, 0)
    if exc.errno == errno.ENOENT or isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            return input_error(Code.NOT_FOUND, at, f"a link to '{os.readlink(path)}', which does not exist",
                               "correct or remove the link")
        return input_error(Code.NOT_FOUND, at, "no such file", "check the path")
    if exc.errno == errno.ELOOP:
        return input_error(Code.UNREADABLE, at, "a symbolic link that leads back to itself (a loop)",
                           "correct or remove the link")
    if exc.errno == errno.ENOTDIR:
        return input_error(Code.NOT_FOUND, at, "no such file (a part of the path is not a folder)", "check the path")
    if exc.errno == errno.EISDIR:
        return input_error(Code.UNREADABLE, at, "is a folder, not a file", "name a file here")
    if exc.errno == errno.ENAMETOOLONG:
        return input_error(Code.NOT_FOUND, at, "the path is too long", "check the path")
    return input_error(Code.UNREADABLE, at, f"cannot read the file: {exc.strerror or exc}",
                       "check that the file is readable")


def read_file(path: Path, name: str) -> bytes | Problem:
    """The bytes of a regular file, or the problem that stops it (located at the file itself, line 0)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except ValueError:  # a NUL byte in the path
        return input_error(Code.NOT_FOUND, (name, 0, 0), "the path holds a NUL byte, which no file name can",
                           "correct the path")
    except OSError as exc:
        return _oserror(exc, path, name)
    try:
        info = os.fstat(fd)
        special = _special(info.st_mode)
        if special == "a folder":
            return input_error(Code.UNREADABLE, (name, 0, 0), "is a folder, not a file", "name a file here")
        if special is not None:
            return input_error(Code.UNREADABLE, (name, 0, 0), f"is {special}, not a regular file",
                               "name a YAML file; rammecalc reads only regular files")
        if info.st_size > MAX_FILE_BYTES:
            return _too_large(name, info.st_size)
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_FILE_BYTES:  # it grew while being read
                return _too_large(name, total)
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        return _oserror(exc, path, name)
    finally:
        os.close(fd)


def _too_large(name: str, size: int) -> Problem:
    return input_error(Code.UNREADABLE, (name, 0, 0),
                       f"the file is {_size(size)}, more than the {_size(MAX_FILE_BYTES)} rammecalc reads",
                       "a table this large is not a rammecalc file; split it, or check that this is the right file")


def expand(paths: Iterable[Path], stats: dict[Path | str, os.stat_result] | None = None
           ) -> tuple[list[tuple[Path | str, bool]], list[Problem]]:
    """Files and folders → the YAML files to read, each marked whether it was named (True) or found in a
    folder (False), and the problems met on the way. Folders are read recursively, in name order; hidden
    files and folders (a name starting with '.') are skipped, as is every file not named .yaml or .yml.
    A file found in a folder is given as text, a file named as it was given. ``stats``, if given, receives each file's ``os.stat`` (following links), taken before anything reads it."""
    files: list[tuple[Path | str, bool]] = []
    problems: list[Problem] = []
    for path in paths:
        name = display_name(path)
        try:
            info = os.stat(path)
        except ValueError:
            problems.append(input_error(Code.NOT_FOUND, (name, 0, 0), "the path holds a NUL byte", "check the path"))
            continue
        except OSError as exc:
            problem = _oserror(exc, path, name)
            if problem.message == "no such file":
                problem = input_error(Code.NOT_FOUND, (name, 0, 0), "no such file or folder", "check the path")
            problems.append(problem)
            continue
        if stat.S_ISDIR(info.st_mode):
            found, trouble = _walk(path, info, stats)
            if not found and not trouble:
                problems.append(input_error(Code.NOT_FOUND, (name, 0, 0), "no .yaml files in this folder",
                                            "pass a folder holding frame and changes files, e.g. data"))
            files += [(p, False) for p in found]
            problems += trouble
        else:
            files.append((path, True))  # a special file is refused when it is read, with the same words
            if stats is not None:
                stats[path] = info
    return files, problems


def _walk(root: Path, info: os.stat_result, stats: dict | None = None) -> tuple[list[str], list[Problem]]:
    """Every YAML file below ``root``, following links to folders once (a link back to a folder being read
    is a loop: not followed, and said). The files are given as text (``os.fspath``), not ``Path``: a check of
    thousands of files spent a third of a warm run making ``Path`` objects; they sort as ``Path`` does."""
    found: list[str] = []
    problems: list[Problem] = []
    visited = {(info.st_dev, info.st_ino)}
    folders: list = [root]
    is_dir, suffixes = stat.S_ISDIR, SUFFIXES
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(input_error(Code.UNREADABLE, (display_name(folder), 0, 0),
                                        f"cannot read the folder: {exc.strerror or exc}",
                                        "check that the folder is readable"))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            path = entry.path
            try:
                target = os.stat(path)  # follows links
            except OSError as exc:
                if name.endswith(suffixes):
                    problems.append(_oserror(exc, Path(path), display_name(path)))
                continue  # a broken link not named .yaml is none of ours
            if is_dir(target.st_mode):
                key = (target.st_dev, target.st_ino)
                if key in visited:
                    problems.append(Problem(Code.LINK_LOOP, Severity.WARNING, display_name(path), 0, 0,
                                            f"a link to {os.path.realpath(path)}, a folder already read; "
                                            "not followed", "remove the link if it is not meant to be there"))
                    continue
                visited.add(key)
                folders.append(path)
            elif name.endswith(suffixes):
                special = _special(target.st_mode)
                if special is None:
                    found.append(path)
                    if stats is not None:
                        stats[path] = target
                else:
                    problems.append(input_error(Code.UNREADABLE, (display_name(path), 0, 0),
                                                f"is {special}, not a regular file",
                                                "rammecalc reads only regular files; move it out of the folder"))
    found.sort(key=_path_order)
    return found, problems


#: The order of ``Path`` objects, for paths given as text: their parts in turn (on POSIX, where a ``Path``
#: compares its parts as they are; elsewhere ``Path`` itself, which folds case on Windows).
_path_order = (lambda p: p.split("/")) if os.sep == "/" and os.altsep is None else Path
