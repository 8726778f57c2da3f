"""Tools for course staff, never shipped to students or to Gradescope's image.

    ./run_autograder --batch DIR --out OUT [--jobs N] [--dask ADDRESS]

grades a whole class (staff/batch.py), in parallel on local processes or a Dask
cluster (staff/engine.py), and writes a CSV (staff/csv_out.py), a report
(staff/report.py) and integrity flags for staff (staff/integrity/).
Staff dependencies: requirements-staff.txt (installed by `bash setup.sh` into .venv).
"""
