"""Atomic saves under SIGKILL: a real child process saves a large document over and over to one
path and is killed at random moments; the file at the path must always be one of the two whole
documents, byte for byte, and temporary files must not pile up.

save_document writes ``.NAME.XXXXXXXX.tmp`` next to the target, fsyncs it and renames it over the
target. A kill between mkstemp and the rename leaves that temporary file behind (no Python code
runs on SIGKILL), so each kill may leave at most one; the last test asks the next save to clean
such leftovers up.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.fileio import dumps_document, load_document, save_document
from app.model import GraphDocument, Node, Note

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX only")

ROOT = Path(__file__).resolve().parent.parent
KILLS = 8
NODES = 300
NOTES = 900  # x 10,000 characters: a file of about 9 MB, so writing it takes a while

#: The child: load two documents, print READY after the first save, then save them in turn.
SAVER = """
import sys
from app.fileio import load_document, save_document
target, first, second = sys.argv[1:]
docs = [load_document(first), load_document(second)]
save_document(docs[0], target)
print("READY", flush=True)
turn = 1
while True:
    save_document(docs[turn % 2], target)
    turn += 1
"""


def big_document(seed: int) -> GraphDocument:
    rng = random.Random(seed)
    doc = GraphDocument()
    for i in range(NODES):
        doc.add_node(Node(id=f"t{i}", type="tensor", label=f"t{i}",
                          pos=(i % 40 * 200, i // 40 * 150),
                          value=[rng.uniform(-1, 1) for _ in range(100)], requires_grad=True))
    for i in range(NOTES):
        doc.add_note(Note(id=f"note{i}", pos=(0, -100 * i),
                          text="".join(rng.choice("abc def ") for _ in range(10_000))))
    return doc


def temp_files(folder: Path, target: Path) -> list[Path]:
    return sorted(folder.glob(f".{target.name}.*.tmp"))


def wait_for_a_write(folder: Path, target: Path, sizes: set[int], rng: random.Random) -> bool:
    """Sleep a random moment, then up to a second more until a save is visibly writing.

    Returns whether it caught one (a temporary file exists, or the target has a size that is
    neither document's, as a writer that truncates the target in place would show).
    """
    time.sleep(rng.uniform(0.0, 0.2))
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        if temp_files(folder, target):
            return True
        try:
            if target.stat().st_size not in sizes:
                return True
        except FileNotFoundError:  # between unlink and create, for a writer that does that
            return True
    return False


def start_saver(target: Path, first: Path, second: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", SAVER, str(target), str(first), str(second)],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "READY\n"
    return child


@pytest.fixture(scope="module")
def two_documents(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, set[bytes]]:
    folder = tmp_path_factory.mktemp("sources")
    paths = (folder / "first.cgraph", folder / "second.cgraph")
    texts = set()
    for seed, path in enumerate(paths):
        doc = big_document(seed)
        save_document(doc, path)
        texts.add(dumps_document(doc).encode("utf-8"))
    assert len(texts) == 2 and all(len(text) > 9_000_000 for text in texts)
    return paths[0], paths[1], texts


def test_a_killed_save_leaves_the_old_or_the_new_file_whole(
    tmp_path: Path, two_documents: tuple[Path, Path, set[bytes]]
) -> None:
    first, second, texts = two_documents
    sizes = {len(text) for text in texts}
    target = tmp_path / "lesson.cgraph"
    rng = random.Random(1234)
    mid_write = 0
    for kill in range(1, KILLS + 1):
        child = start_saver(target, first, second)
        mid_write += wait_for_a_write(tmp_path, target, sizes, rng)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
        assert child.stdout is not None
        child.stdout.close()

        assert target.read_bytes() in texts, f"kill {kill}: the target is not a whole document"
        assert len(load_document(target).nodes) == NODES
        temps = temp_files(tmp_path, target)
        assert len(temps) <= kill, f"kill {kill}: {len(temps)} temporary files"
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [target.name, *(p.name for p in temps)])
    assert mid_write >= KILLS // 2, "too few kills landed while a save was writing"


def test_the_next_save_removes_temporary_files_of_killed_saves(
    tmp_path: Path, two_documents: tuple[Path, Path, set[bytes]]
) -> None:
    """A crash mid-save leaves ``.NAME.XXXXXXXX.tmp`` (up to the size of the file) forever.

    Wanted in app/fileio/writer.py: after the rename, save_document deletes the target's own
    leftovers older than a minute (``.NAME.*.tmp``; a younger one may belong to a save running
    in another process right now).
    """
    target = tmp_path / "lesson.cgraph"
    (tmp_path / f".{target.name}.k2j4h5g6.tmp").write_bytes(b'{"format": "cgst')
    (tmp_path / f".{target.name}.a1b2c3d4.tmp").write_bytes(b"{")
    (tmp_path / ".other.cgraph.zz99yy88.tmp").write_bytes(b"{")  # another file's: kept
    hour_ago = time.time() - 3600
    for temp in tmp_path.iterdir():
        os.utime(temp, (hour_ago, hour_ago))
    fresh = tmp_path / f".{target.name}.fresh123.tmp"  # a concurrent save's: kept
    fresh.write_bytes(b"{")

    save_document(big_document(0), target)

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".other.cgraph.zz99yy88.tmp", fresh.name, target.name])
