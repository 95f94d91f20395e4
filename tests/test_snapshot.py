"""Per-submission snapshots of the mirror (govgraph/snapshot.py): a command served from a
snapshot answers exactly what a rebuilt mirror answers, and a snapshot is never served
for another submission, another store at the same path, or after it was tampered with."""

from __future__ import annotations

import json
import os
import shutil
import stat

from govgraph.loading import load_ledger
from govgraph.mirror import build_mirror
from govgraph.reading import read_mirror
from govgraph.store.sqlite import SqliteStore
from small_ledger import SMALL
from test_scoped_submissions import M2_LEDGER

# C3 is gone from the second ledger: its coverage row must go with it
SECOND = {**SMALL, "compounds.csv": SMALL["compounds.csv"].replace("        C3,老旧院落,M2,80,老旧小区,是,5\n", "")}
SECOND["relations.csv"] = SECOND["relations.csv"].replace("        服务,F1,C3,专业物业,2019,2023-06,\n", "")


def _dump(graph) -> tuple:
    """Everything a mirror holds, in its own order."""
    return (graph.graph, list(graph.nodes(data=True)), list(graph.edges(keys=True, data=True)))


def _snapshots(db_path):
    folder = db_path.parent / f"{db_path.name}.snapshots"
    return sorted(folder.glob("mirror-*.pickle")) if folder.exists() else []


def _compounds(run, *args):
    result = run("coverage", "--level", "compound", "--as-of", "2025-06-30", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return [(r["id"], r["status"]) for r in json.loads(result.stdout)]


def test_a_mirror_from_its_snapshot_is_the_mirror_built(make_ledger, db_path):
    store = SqliteStore(db_path)
    try:
        load_ledger(store, make_ledger(SMALL))
        built = build_mirror(store.read())
        first = read_mirror(store)  # builds and writes the snapshot
        assert len(_snapshots(db_path)) == 1
        again = read_mirror(store)  # from the snapshot
        assert _dump(first) == _dump(built) == _dump(again)
        assert again is not first
    finally:
        store.close()


def test_each_submission_has_its_own_snapshot(run, make_ledger, db_path):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    first = _compounds(run)
    assert _compounds(run) == first and len(_snapshots(db_path)) == 1
    assert run("load", str(make_ledger(SECOND))).exit_code == 0
    second = _compounds(run)
    assert "C3" in dict(first) and "C3" not in dict(second)
    assert _compounds(run, "--load", "1") == first  # submission 1's snapshot, not the latest
    assert _compounds(run) == second
    assert run("load", "--scope", "M2", str(make_ledger(M2_LEDGER))).exit_code == 0
    third = _compounds(run)
    assert "C5" in dict(third) and "C5" not in dict(second)
    assert len(_snapshots(db_path)) == 2  # the two written last


def test_a_new_store_at_the_same_path_does_not_see_the_old_snapshot(make_ledger, db_path):
    from govgraph.ledger import read_ledger
    from govgraph.store.base import LoadRecord

    record = LoadRecord("2026-01-01T00:00:00+08:00", "台账", "replace", 0, 0, 0, 0, 0, 0)
    renamed = {**SMALL, "compounds.csv": SMALL["compounds.csv"].replace("C1,青特城,", "C1,青特城（新名）,")}
    names = []
    for ledger in (SMALL, renamed):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(f"{db_path}{suffix}"):
                os.remove(f"{db_path}{suffix}")
        store = SqliteStore(db_path)
        try:
            # the same submission row (seq 1, time, ledger, counts) in two stores, one after
            # the other at one path: only the store's own id tells them apart
            store.replace_all(read_ledger(make_ledger(ledger)).data, record)
            names.append(read_mirror(store).nodes["C1"]["name"])
        finally:
            store.close()
    assert names == ["青特城", "青特城（新名）"]


def test_a_copied_store_that_went_its_own_way_does_not_share_snapshots(run, make_ledger, db_path, tmp_path):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    _compounds(run)
    copy = tmp_path / "copy" / "store.sqlite"
    copy.parent.mkdir()
    shutil.copy(db_path, copy)
    shutil.copytree(db_path.parent / f"{db_path.name}.snapshots", copy.parent / f"{copy.name}.snapshots")
    assert run("load", str(make_ledger(SECOND))).exit_code == 0
    latest = _compounds(run)
    # the copy's submission 2 is another ledger; the original's snapshot of its own 2 is
    # copied beside it, under a key that names the original's submission 2
    shutil.copytree(db_path.parent / f"{db_path.name}.snapshots", copy.parent / f"{copy.name}.snapshots",
                    dirs_exist_ok=True)
    store = SqliteStore(copy)
    try:
        load_ledger(store, make_ledger(M2_LEDGER), scope="M2")
        assert store.snapshot_key()[1] != SqliteStore(db_path).snapshot_key()[1]
        ids = {n for n, a in read_mirror(store).nodes(data=True) if a.get("kind") == "Compound"}
    finally:
        store.close()
    assert "C5" in ids and "C5" not in dict(latest)


def test_a_tampered_or_foreign_snapshot_is_not_loaded(make_ledger, db_path):
    store = SqliteStore(db_path)
    try:
        load_ledger(store, make_ledger(SMALL))
        built = _dump(read_mirror(store))
        (path,) = _snapshots(db_path)
        blob = bytearray(path.read_bytes())
        blob[-3] ^= 0xFF  # one byte of the pickle changed: the signature no longer matches
        path.write_bytes(bytes(blob))
        assert _dump(read_mirror(store)) == built
        # a sound pickle of another graph, without the store's signature
        from govgraph.ledger import read_ledger
        from govgraph.snapshot import _dumps

        (path,) = _snapshots(db_path)
        other = build_mirror(read_ledger(make_ledger(SECOND)).data)
        path.write_bytes(b"\0" * 32 + _dumps(other))
        assert _dump(read_mirror(store)) == built
    finally:
        store.close()


def test_snapshots_are_readable_by_their_owner_only(make_ledger, db_path):
    store = SqliteStore(db_path)
    try:
        load_ledger(store, make_ledger(SMALL))
        read_mirror(store)
    finally:
        store.close()
    (path,) = _snapshots(db_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_masked_on_display_when_served_from_a_snapshot(run, make_ledger, db_path):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    for _ in range(2):  # built, then from the snapshot
        result = run("show", "U1", "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert "13800001234" not in result.stdout
    result = run("audit", "--format", "json")
    assert "13800001234" not in result.stdout and "13800005678" not in result.stdout
    assert _snapshots(db_path)


# -- kept answers (snapshot.cached_answer) ---------------------------------------------------
def _answers(db_path):
    folder = db_path.parent / f"{db_path.name}.snapshots"
    return sorted(folder.glob("answer-*.pickle")) if folder.exists() else []


def _audit(run, *args):
    result = run("audit", "--as-of", "2025-06-30", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_an_audit_asked_again_is_served_from_its_kept_answer(run, make_ledger, db_path, monkeypatch):
    from govgraph.cli import report_commands

    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    first = _audit(run)
    assert json.loads(first)["findings"] and len(_answers(db_path)) == 1

    def not_again(*args, **kwargs):
        raise AssertionError("the audit was computed again")

    monkeypatch.setattr(report_commands, "run_audit", not_again)
    assert _audit(run) == first  # the same characters, nothing computed
    table = run("audit", "--as-of", "2025-06-30")  # another format: the same kept answer
    assert table.exit_code == 0 and "问题清单" in table.stdout


def test_a_kept_answer_is_not_served_for_another_question_or_submission(run, make_ledger, db_path, tmp_path):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    first = _audit(run)
    other_date = _audit(run, "--as-of", "2020-06-30")  # the kept answer is of 2025-06-30
    assert other_date != first
    strict = tmp_path / "strict.toml"
    strict.write_text("min_formal_members = 30\n", encoding="utf-8")
    under_profile = _audit(run, "--profile", str(strict))
    assert under_profile != first and len(_answers(db_path)) == 3
    assert run("load", str(make_ledger(SECOND))).exit_code == 0
    second = _audit(run)
    assert second != first and "C3" in first and "C3" not in second


def _counting_audits(monkeypatch) -> list:
    from govgraph.cli import report_commands

    calls = []
    real = report_commands.run_audit

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(report_commands, "run_audit", counted)
    return calls


def test_a_tampered_or_unsigned_kept_answer_is_not_loaded(run, make_ledger, db_path, monkeypatch):
    from govgraph.snapshot import _dumps

    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    first = _audit(run)
    calls = _counting_audits(monkeypatch)
    (path,) = _answers(db_path)
    blob = bytearray(path.read_bytes())
    blob[5] ^= 0xFF  # one byte of the signature changed
    path.write_bytes(bytes(blob))
    assert _audit(run) == first and len(calls) == 1
    (path,) = _answers(db_path)
    path.write_bytes(b"\0" * 32 + _dumps(([], {})))  # a sound pickle of no findings, unsigned
    assert _audit(run) == first and len(calls) == 2
    assert _audit(run) == first and len(calls) == 2  # the answer written again is served


def test_a_scoped_audit_is_not_served_the_whole_answer(run, make_ledger, db_path, monkeypatch):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    whole = _audit(run)
    calls = _counting_audits(monkeypatch)
    scoped = _audit(run, "--scope", "M2")
    assert len(calls) == 1 and scoped != whole and len(_answers(db_path)) == 1


def test_a_changed_program_does_not_see_the_kept_answer(run, make_ledger, db_path, monkeypatch):
    from govgraph import snapshot

    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    first = _audit(run)
    calls = _counting_audits(monkeypatch)
    monkeypatch.setattr(snapshot, "_package_digest", "another program")
    assert _audit(run) == first and len(calls) == 1 and len(_answers(db_path)) == 2
