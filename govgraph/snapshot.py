"""Per-submission snapshots of the mirror, so that a cold command need not rebuild it.

A command in a fresh process spends most of its time reading 250,000 relations out of the
SQLite file and building the networkx mirror (docs/scale.md, "Cold commands"). The graph
of a submission never changes once committed (system-versioned rows), so the mirror of
submission N of one store can be kept and loaded instead: a pickle in a folder beside the
SQLite file, written by the first command that builds that mirror.

Correctness rests on the key in the file's name, which the store computes inside a read
transaction (`SqliteStore.snapshot_key`): the store's own random id (a copied or
recreated file that went its own way has other submissions), the rows of submissions
1..N (seq, time to the second, ledger, counts), and a digest of the code that shapes the
mirror (this module, mirror.py, graph.py, the SQLite store and the schema), so a changed
program never loads an old snapshot. A snapshot is only ever of one submission, written
whole to a temporary file and renamed into place, so a reader finds it complete or not at
all; concurrent loads only add new submissions, whose keys differ.

What is kept: the mirror holds what the SQLite file holds (phone numbers as stored, masked
on display as always), so the folder and its files are made readable by their owner only,
and a snapshot is loaded only if its owner is the current user and its HMAC, keyed with a
secret kept in the store, matches (a pickle can run code, so an unsigned or foreign file is
never unpickled). Only the two most recently written snapshots are kept.

Answers are kept the same way (`cached_answer`): what a whole-graph command computed from
submission N (the findings of `audit` on one date under one profile, say), so that asking
again (another --format, the same --as-of again) costs loading that answer instead of
the mirror and the audit. Its key adds to the mirror's key the question (command, date,
the profile's settings) and a digest of every file of the package, so any change to the
rules or their texts is a new key; the eight most recent answers are kept.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import tempfile
from pathlib import Path
from types import MappingProxyType

from .bulk import paused_gc

KEEP = 2  # snapshots kept per store (the latest submission and one other, e.g. for diff)
KEEP_ANSWERS = 8  # answers kept per store (a few dates, formats share one)
_CODE_FILES = ("snapshot.py", "mirror.py", "graph.py", "schema.py", "schema.toml", "store/sqlite.py",
               "store/codec.py")
_code_digest: str | None = None
_package_digest: str | None = None


def code_digest() -> str:
    """A digest of the code that decides what a mirror holds (see the module docstring)."""
    global _code_digest
    if _code_digest is None:
        import networkx

        here = Path(__file__).parent
        h = hashlib.sha256(networkx.__version__.encode())
        for name in _CODE_FILES:
            h.update(name.encode())
            h.update((here / name).read_bytes())
        _code_digest = h.hexdigest()
    return _code_digest


def package_digest() -> str:
    """A digest of every file of the package (code, rules' texts, schema, profiles) and of
    the command line's (govgraph.cli, a folder of its own in a source checkout): an
    answer depends on all of them."""
    global _package_digest
    if _package_digest is None:
        import importlib.util

        cli = importlib.util.find_spec("govgraph.cli").submodule_search_locations
        folders = {Path(__file__).parent.resolve(), *(Path(f).resolve() for f in cli)}
        files = {p for folder in folders for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
        h = hashlib.sha256(code_digest().encode())
        for path in sorted(files):
            h.update(str(path).encode())
            h.update(path.read_bytes())
        _package_digest = h.hexdigest()
    return _package_digest


def cached_answer(store, load: int | None, question: tuple, compute):
    """The answer to `question` (plain values: what is asked, the date, the settings)
    about the whole graph of submission `load` (None: the latest) of `store`: loaded when
    kept, else `compute(seq)` and kept. Stores without snapshots (Neo4j) always compute."""
    return _kept(store, load, "answer", KEEP_ANSWERS, compute,
                 lambda key: hashlib.sha256(repr((key, question, package_digest())).encode()).hexdigest())


def cached_mirror(store, load: int | None, build):
    """The mirror of submission `load` (None: the latest) of `store`: loaded from its
    snapshot when there is a sound one, else `build(seq)` and written as one. Stores that
    offer no snapshot key (Neo4j) always build."""
    return _kept(store, load, "mirror", KEEP, build, lambda key: key)


def _kept(store, load: int | None, kind: str, keep: int, make, key_for):
    """`make(seq)` of submission `load`, from its signed file `<kind>-<seq>-<key>.pickle`
    when there is a sound one, else made and written as one (the `keep` newest of the
    kind are kept); `key_for(the store's snapshot key)` names the file."""
    key_of = getattr(store, "snapshot_key", None)
    found = key_of(load) if key_of else None
    if found is None:
        return make(load)
    seq, key, secret, folder = found
    path = folder / f"{kind}-{seq}-{key_for(key)[:32]}.pickle"
    kept = _load(path, secret)
    if kept is not None:
        return kept
    kept = make(seq)
    _save(kept, folder, path, secret, f"{kind}-*.pickle", keep)
    return kept


def _load(path: Path, secret: bytes):
    try:
        with open(path, "rb") as f:
            if hasattr(os, "getuid") and os.fstat(f.fileno()).st_uid != os.getuid():
                return None
            blob = f.read()
    except OSError:
        return None
    tag, body = blob[:32], blob[32:]
    if len(tag) != 32 or not hmac.compare_digest(tag, hmac.new(secret, body, hashlib.sha256).digest()):
        return None
    try:
        with paused_gc():  # millions of small dicts, no cycles (as when the mirror is built)
            return pickle.loads(body)
    except Exception:  # a snapshot that does not load is rebuilt
        return None


def _save(kept, folder: Path, path: Path, secret: bytes, pattern: str, keep: int) -> None:
    """Write the snapshot (never fatal: a folder that cannot be written means no snapshot),
    then remove all but the `keep` newest files of `pattern`."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        body = _dumps(kept)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".writing-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(hmac.new(secret, body, hashlib.sha256).digest())
                f.write(body)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder, path, pattern, keep)
    except (OSError, pickle.PicklingError):
        pass


def _prune(folder: Path, kept: Path, pattern: str, keep: int) -> None:
    snapshots = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in snapshots if p != kept][keep - 1:]:
        old.unlink(missing_ok=True)


def _proxy(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


def _dumps(obj) -> bytes:
    import copyreg
    import io

    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, MappingProxyType: lambda m: (_proxy, (dict(m),))}
    pickler.dump(obj)
    return out.getvalue()
