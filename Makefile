# The course's commands. `make book` and `make test` are all a newcomer needs:
# both create the virtual environment on first use.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JOBS ?=

.PHONY: book test lab clean lock assignments autograde feedback grades bench-book bench-grade

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

lab: $(STAMP)
	$(PY) -m bookbuild notebooks
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=_build/notebooks

# Build products only: submissions, grades and feedback in grader/ are an instructor's data.
clean:
	rm -rf _build grader/.work

# Re-resolve requirements.in into the pinned requirements.txt.
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.in
	{ echo "# Pinned environment of the course, resolved from requirements.in by 'make lock'."; echo "# Edit requirements.in, then run 'make lock'; every machine installs exactly this."; $(PY) -m pip freeze --exclude-editable | sed 's/+cpu$$//'; } > requirements.txt

assignments: $(STAMP)
	$(PY) -m grader release

autograde: $(STAMP)
	@test -n "$(A)" || { echo "Cần chỉ định bài tập: make autograde A=<tên bài tập>"; exit 2; }
	$(PY) -m grader autograde "$(A)" $(if $(JOBS),--jobs $(JOBS))

feedback: $(STAMP)
	@test -n "$(A)" || { echo "Cần chỉ định bài tập: make feedback A=<tên bài tập>"; exit 2; }
	$(PY) -m grader feedback "$(A)"

grades: $(STAMP)
	$(PY) -m grader grades

bench-book: $(STAMP)
	$(PY) -m bookbuild.bench

bench-grade: $(STAMP)
	$(PY) -m grader.bench
