# The course's commands. `make book` and `make test` are all a newcomer needs:
# both create the virtual environment on first use.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JOBS ?=

.PHONY: book test lab clean lock assignments autograde feedback grades bench-book bench-grade \
	setup formgrader release-feedback import gpu-check demo-class

# Reinstall only when the pinned set changes.
$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip check
	touch $(STAMP)

book: $(STAMP)
	$(PY) -m bookbuild build

test: $(STAMP)
	$(PY) -m pytest tests

# JupyterLab for a student, in Vietnamese: the book's notebooks and the assignments in
# WORKSPACE (default workspace/, which no build and no `make clean` touches).
# make lab [PORT=8890] [NO_BROWSER=1] [STUDENT=sv001] [WORKSPACE=thư-mục]
lab: setup
	$(PY) -m grader lab $(if $(PORT),--port $(PORT)) $(if $(NO_BROWSER),--no-browser) \
		$(if $(STUDENT),--student "$(STUDENT)") $(if $(WORKSPACE),--workspace "$(WORKSPACE)")

# The course's exchange folder, and nbgrader commands of .venv pointed at the course
# (.venv/etc/jupyter/nbgrader_config.py): `nbgrader ...` works from the repository root.
setup: $(STAMP)
	@$(PY) -m grader setup

formgrader: setup
	$(PY) -m grader formgrader $(if $(PORT),--port $(PORT)) $(if $(NO_BROWSER),--no-browser)

# Build products only: submissions, grades and feedback in grader/ are an instructor's data.
clean:
	rm -rf _build grader/.work

# Re-resolve requirements.in into the pinned requirements.txt.
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.in
	{ echo "# Pinned environment of the course, resolved from requirements.in by 'make lock'."; echo "# Edit requirements.in, then run 'make lock'; every machine installs exactly this."; $(PY) -m pip freeze --exclude-editable | sed 's/+cpu$$//'; } > requirements.txt

# make assignments [FRAMEWORKS=pytorch,mxnet]: only the notebooks of those frameworks.
assignments: setup
	$(PY) -m grader release $(if $(FRAMEWORKS),--frameworks "$(FRAMEWORKS)")

# make autograde A=<bài tập> [JOBS=N] [FORCE=1] [STUDENT=sv001]
autograde: $(STAMP)
	@test -n "$(A)" || { echo "Cần chỉ định bài tập: make autograde A=<tên bài tập>"; exit 2; }
	@$(PY) -m grader autograde "$(A)" $(if $(JOBS),--jobs $(JOBS)) $(if $(FORCE),--force) \
		$(if $(STUDENT),--student "$(STUDENT)")

feedback: $(STAMP)
	@test -n "$(A)" || { echo "Cần chỉ định bài tập: make feedback A=<tên bài tập>"; exit 2; }
	$(PY) -m grader feedback "$(A)"

# Feedback pages, then nbgrader's release_feedback: students get them with Fetch Feedback.
release-feedback: setup
	@test -n "$(A)" || { echo "Cần chỉ định bài tập: make release-feedback A=<tên bài tập>"; exit 2; }
	$(PY) -m grader feedback "$(A)"
	$(VENV)/bin/nbgrader release_feedback "$(A)"

# Submissions downloaded from an LMS: make import A=<bài tập> FROM=<thư mục hoặc tệp zip>
import: $(STAMP)
	@test -n "$(A)" -a -n "$(FROM)" || { echo "Cần chỉ định: make import A=<tên bài tập> FROM=<thư mục hoặc tệp zip>"; exit 2; }
	$(PY) -m grader import "$(A)" "$(FROM)"

# The CSV alone on standard output (no command echo), or into OUT.
grades: $(STAMP)
	@$(PY) -m grader grades $(if $(OUT),--output "$(OUT)")

bench-book: $(STAMP)
	$(PY) -m bookbuild.bench

bench-grade: $(STAMP)
	$(PY) -m grader.bench

# A simulated class (about 30 students, every released notebook) through the whole loop:
# release, fetch, submit, collect, grade, feedback, grades CSV and a chart, in _build/demo-class.
demo-class: $(STAMP)
	$(PY) -m grader.demo $(if $(STUDENTS),--students $(STUDENTS)) $(if $(FRAMEWORKS),--frameworks "$(FRAMEWORKS)")

# On a machine with a CUDA build of PyTorch (no .venv needed): every check of the PyTorch
# notebooks also on each GPU. Skipped where no GPU is visible.
GPU_PYTHON ?= python3
gpu-check:
	$(GPU_PYTHON) -m pytest --noconftest -p no:cacheprovider -m gpu -v -rA \
		tests/grader/test_gpu.py tests/grader/test_my_init_dense_gpu.py
