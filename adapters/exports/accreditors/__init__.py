"""The files that take a collaborative's CE credit to the accreditors, each in the
accreditor's own layout (its writer's docstring says which, and where it is published), made
from the ledger as it stood at a moment: made again for the same moment, the same bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from adapters.exports.accreditors.capce import capce_xml
from adapters.exports.accreditors.cpe_monitor import cpe_monitor_csv
from adapters.exports.accreditors.nursing import nursing_csv
from adapters.exports.accreditors.pars import pars_text
from engine.errors import LeftOut, NotConfigured
from engine.settings import Settings
from projections.credits.check import CreditCheck, LateCompletion
from projections.credits.completions import ReportFile
from projections.credits.requirements import Report


class FileName(StrEnum):
    """Each file's name in its address: /collaboratives/{id}/accreditor-files/{name}."""

    PARS = "pars"
    CPE_MONITOR = "cpe-monitor"
    CAPCE = "capce"
    NURSING = "nursing"


@dataclass(frozen=True)
class AccreditorFile:
    name: FileName
    label: str  # as a page offers it
    reports: tuple[Report, ...]
    suffix: str
    media_type: str
    write: Callable[[ReportFile, Settings], bytes]
    missing: Callable[[Settings], str | None] = lambda _: None  # a setting it needs, unset, in words

    def file_name(self, as_of: datetime) -> str:
        return f"{self.name.value}-{as_of:%Y-%m-%dT%H%M%SZ}{self.suffix}"

    def past_window(self, check: CreditCheck) -> list[LateCompletion]:
        """The completions of this file past CPE Monitor's 60 days (none for the others)."""
        return check.late if Report.CPE_MONITOR in self.reports else []

    def made(self, file: ReportFile, settings: Settings, leave_out: bool = False) -> bytes:
        """The file's bytes; LeftOut naming each learner and activity it would leave out (and
        what each lacks) unless `leave_out` says to make it of the others."""
        needed = self.missing(settings)
        if needed:
            raise NotConfigured(needed)
        if not file.complete and not leave_out:
            raise LeftOut(self._left_out_words(file), left_out(file))
        return self.write(file, settings)

    def _left_out_words(self, file: ReportFile) -> str:
        people, activities = (
            len(file.learners_left_out),
            len({m.activity_id for m in file.activities_left_out}),
        )
        parts = [f"{people} learner{'s' if people != 1 else ''}"] if people else []
        parts += [f"{activities} activit{'ies' if activities != 1 else 'y'}"] if activities else []
        ready = len(file.completions)
        return (
            f"{' and '.join(parts)} cannot go into the {self.label} as of {file.check.as_of:%Y-%m-%d %H:%M} UTC "
            f"(listed in left_out, each with what it lacks): add what they lack, or ask for the file of the "
            f"{ready} completion{'s' if ready != 1 else ''} that can be reported with leave_out_unreportable=true"
        )


def left_out(file: ReportFile) -> list[str]:
    """Each learner and activity the file leaves out, and why, in the check's order."""
    return [f"{m.learner_name}, {m.report.value}: {'; '.join(m.lacks)}" for m in file.learners_left_out] + [
        f"{m.title}, {m.report.value}: {'; '.join(m.lacks)}" for m in file.activities_left_out
    ]


def _capce_id(settings: Settings) -> str | None:
    if settings.capce_provider_id:
        return None
    return "the CAPCE file names the provider's CAPCE id in every completion: set QI_CAPCE_PROVIDER_ID"


FILES: dict[FileName, AccreditorFile] = {
    f.name: f
    for f in (
        AccreditorFile(
            FileName.PARS,
            "ACCME PARS learner completions, CME and ABP MOC (tab-delimited)",
            (Report.PARS_CME, Report.PARS_MOC),
            ".txt",
            "text/tab-separated-values; charset=utf-8",
            lambda file, _: pars_text(file),
        ),
        AccreditorFile(
            FileName.CPE_MONITOR,
            "CPE Monitor submissions, pharmacists (CSV)",
            (Report.CPE_MONITOR,),
            ".csv",
            "text/csv; charset=utf-8",
            lambda file, _: cpe_monitor_csv(file),
        ),
        AccreditorFile(
            FileName.CAPCE,
            "CAPCE course completions, EMS (XML)",
            (Report.CAPCE,),
            ".xml",
            "application/xml",
            lambda file, settings: capce_xml(file, settings.capce_provider_id or ""),
            _capce_id,
        ),
        AccreditorFile(
            FileName.NURSING,
            "Nursing contact-hour record (ANCC), kept for the retention period (CSV)",
            (Report.ANCC,),
            ".csv",
            "text/csv; charset=utf-8",
            lambda file, settings: nursing_csv(file, settings.ce_retention_years),
        ),
    )
}
