"""The `{exercise-checks}` directive: a graded exercise's checks, points and hidden
ones, read from the grader's definitions when the book is built.

The points are defined once, in grader/exercises/; pages that show them (the
exercise pages, the instructor guide) render them with this directive instead of
copying them, and are rebuilt when a definition changes.
"""
from __future__ import annotations

import inspect

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from .frameworks import FRAMEWORKS


class ExerciseChecks(SphinxDirective):
    """```{exercise-checks} bai3-cross-correlation``` (an assignment name without its framework)."""

    required_arguments = 1
    has_content = False

    def run(self):
        from grader.exercises import EXERCISES

        prefix = self.arguments[0]
        by_framework = {f.key: EXERCISES.get(f"{prefix}-{f.key}") for f in FRAMEWORKS}
        present = [(f, by_framework[f.key]) for f in FRAMEWORKS if by_framework[f.key]]
        if not present:
            raise self.error(f"no graded exercise named {prefix}-<framework>")
        for _, exercise in present:
            for check in exercise.checks:
                self.env.note_dependency(inspect.getfile(check.judge))
            self.env.note_dependency(inspect.getfile(type(exercise)))
        rows: dict[str, dict] = {}
        for framework, exercise in present:
            for check in exercise.checks:
                row = rows.setdefault(check.id, {"title": check.title, "hidden": check.hidden,
                                                 "points": {}})
                row["points"][framework.key] = check.points
        labels = " / ".join(f.label for f, _ in present)
        lines = [f"| Bài kiểm tra | Nội dung | Điểm ({labels}) | Ẩn |", "| --- | --- | --- | --- |"]
        for check_id, row in rows.items():
            points = [row["points"].get(f.key) for f, _ in present]
            shown = (str(points[0]) if len(set(points)) == 1
                     else " / ".join("—" if p is None else str(p) for p in points))
            lines.append(f"| `{check_id}` | {row['title']} | {shown} | "
                         f"{'có' if row['hidden'] else ''} |")
        totals = [str(exercise.total_points) for _, exercise in present]
        total = totals[0] if len(set(totals)) == 1 else " / ".join(totals)
        lines.append(f"| **Tổng** | | **{total}** | |")
        holder = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]),
                                self.content_offset, holder)
        return holder.children
