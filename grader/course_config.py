"""The course's nbgrader configuration (grader/nbgrader_config.py), read the way
nbgrader reads it, for the parts of the engine that follow nbgrader's settings.

Side: trusted grader.
"""

from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

CONFIG_NAME = "nbgrader_config.py"


def load_course_config(course_root: Path) -> Config:
    """The course's config; an empty Config when the course has no config file."""
    config_file = Path(course_root) / CONFIG_NAME
    if not config_file.is_file():
        return Config()
    return PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
