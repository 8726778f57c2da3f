"""Which submissions a batch folder holds (staff/export.py), on folders laid out as Gradescope
exports them; no grading here."""
import pytest

from staff.export import BatchFolderError, find_submissions
from tests.staff.classroom import metadata_yaml


def folders(root, *names):
    for name in names:
        (root / name / "beras").mkdir(parents=True)
    return root


def test_an_export_maps_folders_to_submitters(tmp_path):
    folders(tmp_path, "submission_12", "submission_7", "submission_99")
    (tmp_path / "submission_metadata.yml").write_text(metadata_yaml({
        "submission_7": ([("Ann", "1", "ann@x.edu"), ("Ben", "2", "ben@x.edu")], "2026-02-20 10:00:00.5 -05:00", 55.5),
        "submission_12": ([("Cy", "3", "cy@x.edu")], "2026-02-21 11:00:00 -05:00", 0),
        "submission_404": ([("Gone", "4", "gone@x.edu")], "2026-02-21 11:00:00 -05:00", 0)}))
    found, warnings = find_submissions(tmp_path)
    assert [s.id for s in found] == ["12", "7", "99"]
    seven = next(s for s in found if s.id == "7")
    assert [(p.name, p.email, p.sid) for p in seven.submitters] == [("Ann", "ann@x.edu", "1"), ("Ben", "ben@x.edu", "2")]
    assert seven.platform_score == 55.5 and seven.created_at.startswith("2026-02-20")
    assert any("submission_99/ is not in" in w for w in warnings)
    assert any("submission_404" in w and "no folder" in w for w in warnings)


def test_a_plain_folder_of_folders_skips_junk_and_the_output(tmp_path):
    folders(tmp_path, "alice", "bob")
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "out").mkdir()
    found, warnings = find_submissions(tmp_path, exclude=[tmp_path / "out"])
    assert [s.id for s in found] == ["alice", "bob"] and warnings == []
    assert all(s.submitters == () for s in found)


@pytest.mark.parametrize("layout", ["one submission", "empty"])
def test_what_is_not_a_class_is_refused(tmp_path, layout):
    if layout == "one submission":
        (tmp_path / "beras").mkdir()
    with pytest.raises(BatchFolderError):
        find_submissions(tmp_path)
