"""The fixture library itself: patches apply exactly once or fail loudly."""
import pytest

from tests.grader.submissions import PatchError, make_submission


def test_patch_must_match_exactly_once(tmp_path):
    with pytest.raises(PatchError, match="found it 0 times"):
        make_submission(tmp_path, patches=[("beras/layers.py", "no such text anywhere", "x")])
    with pytest.raises(PatchError, match="found it [2-9]\\d* times"):
        make_submission(tmp_path, patches=[("beras/layers.py", "import", "x")])


def test_extra_files_remove_and_final_marker(tmp_path):
    root = make_submission(tmp_path, extra_files={"notes/a.txt": "hi", "blob.bin": b"\0\1"},
                           remove=["beras/metrics.py"],
                           final=True)
    assert (root / "notes" / "a.txt").read_text() == "hi" and (root / "blob.bin").read_bytes() == b"\0\1"
    assert not (root / "beras" / "metrics.py").exists()
    assert (root / "FINAL.txt").is_file()
    assert not (make_submission(tmp_path, name="plain") / "FINAL.txt").exists()
