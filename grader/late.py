"""Late submissions as nbgrader defines them: the due date (and any extension)
in the gradebook, the penalty from the LateSubmissionPlugin that the course's
nbgrader_config.py names (AssignLatePenalties.plugin_class).

Side: trusted grader.
"""

from dataclasses import dataclass
from pathlib import Path

from nbgrader.plugins import BasePlugin, LateSubmissionPlugin
from traitlets.config import Config
from traitlets.utils.importstring import import_item

from .course_config import load_course_config
from .errors import GraderError


class LatePolicyError(GraderError):
    """The configured late-submission plugin cannot be used (message in Vietnamese)."""


@dataclass(frozen=True)
class LatePolicy:
    plugin: BasePlugin

    @classmethod
    def from_config(cls, config: Config) -> "LatePolicy":
        plugin_class = config.get("AssignLatePenalties", {}).get("plugin_class",
                                                                  LateSubmissionPlugin)
        if isinstance(plugin_class, str):
            try:
                plugin_class = import_item(plugin_class)
            except (ImportError, AttributeError, ValueError) as error:
                raise LatePolicyError("Không nạp được lớp tính điểm nộp muộn «%s» "
                                      "(AssignLatePenalties.plugin_class): %s"
                                      % (plugin_class, error)) from error
        if not (isinstance(plugin_class, type) and issubclass(plugin_class, BasePlugin)):
            raise LatePolicyError("AssignLatePenalties.plugin_class phải là một lớp con của "
                                  "nbgrader.plugins.BasePlugin.")
        return cls(plugin_class(config=config))

    @classmethod
    def from_course(cls, course_root: Path) -> "LatePolicy":
        return cls.from_config(load_course_config(course_root))

    def penalty(self, student: str, score: float, seconds_late: float) -> float | None:
        """Points taken off, clamped to [0, score] as nbgrader's AssignLatePenalties
        does; None when not late or when the policy gives no penalty."""
        if seconds_late <= 0:
            return None
        penalty = self.plugin.late_submission_penalty(student, score, seconds_late)
        if penalty is None:
            return None
        return min(max(0.0, float(penalty)), float(score))


def describe_lateness(seconds: float) -> str:
    """'2 ngày 3 giờ', '45 phút', 'chưa tới 1 phút' (Vietnamese, for messages)."""
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "ngày"), (hours, "giờ"), (minutes, "phút")) if n]
    return " ".join(parts[:2]) if parts else "chưa tới 1 phút"
