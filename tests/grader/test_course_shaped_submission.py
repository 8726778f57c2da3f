"""A submission shaped like a real course one: the handout's extra files and module-level imports.

Real spring2026 submissions import wandb in model.py and assignment.py, import
visualize (matplotlib) from assignment.py, carry utils/wandb_login.py, tests/,
a notebook and a zip of themselves. None of that may cost points.
"""

from tests.grader.submissions import (RUBRIC_POINTS, assert_complete, by_number, grade_json, make_submission,
                                      rubric_with, summary)

VISUALIZE = '''\
import matplotlib.pyplot as plt
import numpy as np


def visualize_metrics(losses, accuracies):
    fig, ax = plt.subplots()
    ax.plot(np.arange(len(losses)), losses, label="loss")
    ax.plot(np.arange(len(accuracies)), accuracies, label="accuracy")
    ax.legend()
    plt.show()
'''

WANDB_LOGIN = '''\
import wandb


def login_to_wandb(project="beras"):
    wandb.login()
    return wandb.init(project=project, config={"epochs": 10})
'''

COURSE_IMPORTS = [
    ("beras/model.py", "import numpy as np\n", "import numpy as np\nimport wandb\n"),
    ("assignment.py", "import numpy as np\n",
     "import numpy as np\nimport wandb\n\nfrom visualize import visualize_metrics\n"
     "from utils.wandb_login import login_to_wandb\n"),
]
EXTRA_FILES = {"visualize.py": VISUALIZE, "utils/wandb_login.py": WANDB_LOGIN,
               "hw.ipynb": '{"cells": []}', "beras_submission.zip": b"PK\x05\x06" + bytes(18)}


def test_course_shaped_submission_loses_nothing(tmp_path):
    root = make_submission(tmp_path, patches=COURSE_IMPORTS, extra_files=EXTRA_FILES)
    results = grade_json(root)
    assert_complete(results)
    for t in results["tests"]:
        if t["number"] != "5.1":
            assert t["score"] == t["max_score"], summary(results)
    assert "wandb" not in by_number(results)["4.1"]["output"]


def test_course_shaped_submission_trains(tmp_path):
    root = make_submission(tmp_path, patches=COURSE_IMPORTS, extra_files=EXTRA_FILES, final=True)
    results = grade_json(root, rubric_path=_one_epoch_rubric(tmp_path))
    final = by_number(results)["5.1"]
    assert final["score"] == RUBRIC_POINTS["5.1"], final["output"]


def _one_epoch_rubric(tmp_path):
    return rubric_with(tmp_path, final_epochs=1)


def test_a_renamed_assignment_file_is_found_and_said(tmp_path):
    root = make_submission(tmp_path, final=True)
    (root / "assignment.py").rename(root / "hw2_main.py")
    results = grade_json(root, rubric_path=_one_epoch_rubric(tmp_path))
    assert_complete(results)
    assert all(t["score"] == t["max_score"] for t in results["tests"]), summary(results)
    assert "hw2_main.py defines get_model()" in results["output"]
    assert not (root / "assignment.py").exists()  # the student's folder is left as it was


def test_stencil_style_compose_and_tiled_gradients_lose_nothing(tmp_path):
    # Written to the course stencil's conventions: a Python loop over samples in the
    # compose methods, (batch, in, out) weight gradients, float64 weights.
    from tests.final.submissions import loop_compose
    results = grade_json(loop_compose(tmp_path / "submission", marker=None))
    assert_complete(results)
    for t in results["tests"]:
        if t["number"] != "5.1":
            assert t["score"] == t["max_score"], summary(results)
