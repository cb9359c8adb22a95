"""Group framework cells into synced sphinx-design tabs.

MyST-NB renders each code cell as a container carrying a ``tag_<framework>``
class. Consecutive framework cells (no prose between them) become one
sphinx-design tab-set in the ``framework`` sync group; sphinx-design's own
script then switches every group on the page together and remembers the
choice in localStorage.
"""
from __future__ import annotations

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx_design.shared import create_component

from .frameworks import FRAMEWORKS

SYNC_GROUP = "framework"


def framework_of(node: nodes.Node) -> str | None:
    if not isinstance(node, nodes.container) or node.get("nb_element") != "cell_code":
        return None
    for framework in FRAMEWORKS:
        if f"tag_{framework.key}" in node["classes"]:
            return framework.key
    return None


def framework_tab_set(cells: list[nodes.container]) -> nodes.container:
    tab_set = create_component("tab-set", classes=["sd-tab-set", "framework-tabs"])
    for framework in FRAMEWORKS:
        label = nodes.rubric(framework.label, framework.label, classes=["sd-tab-label"])
        label["sync_group"] = SYNC_GROUP
        label["sync_id"] = framework.key
        own = [cell for cell in cells if framework_of(cell) == framework.key]
        if not own:
            own = [nodes.paragraph("", f"Đoạn này không có mã {framework.label}.",
                                   classes=["framework-missing"])]
        content = create_component("tab-content", classes=["sd-tab-content"], children=own)
        tab_set += create_component("tab-item", classes=["sd-tab-item"], children=[label, content])
    return tab_set


class FrameworkTabs(SphinxTransform):
    # After MyST-NB has built the cells, before anything else rearranges them.
    default_priority = 400

    def apply(self, **kwargs) -> None:
        for parent in list(self.document.findall(nodes.Element)):
            runs, current = [], []
            for child in parent.children:
                if framework_of(child):
                    current.append(child)
                    continue
                if current:
                    runs.append(current)
                current = []
            if current:
                runs.append(current)
            for run in runs:
                position = parent.index(run[0])
                for cell in run:
                    parent.remove(cell)
                parent.insert(position, framework_tab_set(run))
