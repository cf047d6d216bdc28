import re
from pathlib import Path

from complaints.workflow import transitions

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_diagram_draws_exactly_the_workflow_table():
    diagram = README.read_text().split("```mermaid", 1)[1].split("```", 1)[0]
    drawn = set(re.findall(r"^\s*(\w+) --> (\w+): (\w+)$", diagram, flags=re.M))

    assert drawn == {(source, target, action) for source, action, target in transitions()}
