"""The runner: every worker the grading run starts, its time budget, and the reference's answers.

grade() asks the runner for answers (plain data) and the checks (grader/checks/)
judge them; checks never start a worker.
"""
