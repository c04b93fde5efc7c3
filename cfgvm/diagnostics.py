"""One diagnostics type for every stage: a source location, a severity, a rule id, a message."""
from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Coord:
    """A place in an original source file (1-based line and column), kept through includes and defines."""
    file: str
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


SYNTHETIC = Coord("<synthetic>", 0, 0)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    coord: Coord
    severity: str          # "error" | "warning" | "note"
    code: str              # rule id, e.g. "syntax", "preproc-unbalanced-ifdef"
    message: str

    def render(self) -> str:
        return f"{self.coord}: {self.severity}: {self.message} [{self.code}]"

    def as_dict(self) -> dict:
        return {"file": self.coord.file, "line": self.coord.line, "column": self.coord.column,
                "severity": self.severity, "code": self.code, "message": self.message}


class CfgError(Exception):
    """A configuration is wrong (our user's fault): carries one or more diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def error(coord: Coord, code: str, message: str) -> CfgError:
    return CfgError(Diagnostic(coord, "error", code, message))


@dataclass
class Report:
    """Diagnostics collected by one run of the pipeline."""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add(self, d: Diagnostic) -> None:
        self.diagnostics.append(d)

    def extend(self, ds) -> None:
        self.diagnostics.extend(ds)

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)

    def to_json(self) -> str:
        return json.dumps({"ok": self.ok, "diagnostics": [d.as_dict() for d in self.diagnostics]})

    def to_text(self) -> str:
        return "".join(d.render() + "\n" for d in self.diagnostics)
