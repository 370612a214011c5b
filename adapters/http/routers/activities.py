"""Learning activities with attendance, and participants."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from adapters.http.deps import PrincipalDep, QueriesDep, RunDep
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS
from adapters.http.schemas.activities import ActivityPublic, ParticipantPublic, RetentionPublic
from adapters.http.schemas.common import CommandResult, body_of
from engine.commands.activity import (
    ErasePerson,
    RecordActivityIds,
    RecordAttendance,
    RecordSessionHeld,
    RegisterParticipant,
    ScheduleActivity,
    UpdateParticipant,
)

router = APIRouter(tags=["activities and participants"])

ScheduleActivityBody = body_of(ScheduleActivity, "collaborative_id")
RecordAttendanceBody = body_of(RecordAttendance, "activity_id")
RecordSessionHeldBody = body_of(RecordSessionHeld, "activity_id")
RecordActivityIdsBody = body_of(RecordActivityIds, "activity_id")
RegisterParticipantBody = body_of(RegisterParticipant)
UpdateParticipantBody = body_of(UpdateParticipant, "participant_id")
ErasePersonBody = body_of(ErasePerson, "participant_id")


@router.post("/collaboratives/{collaborative_id}/activities", status_code=201, responses=WRITE_ERRORS)
def schedule_activity(collaborative_id: UUID, body: ScheduleActivityBody, run: RunDep) -> CommandResult:
    """Schedule a learning session, fireside chat, office hours or coaching call."""
    return run(body.command(collaborative_id=collaborative_id))


@router.get("/activities/{activity_id}", responses=READ_ERRORS)
def get_activity(activity_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> ActivityPublic:
    """One learning activity with its attendance (a team token: its own members' only)."""
    read = queries.activity(principal, activity_id)
    public = ActivityPublic.of(read.activity)
    if read.attendance_of is not None:
        public.attendance = [a for a in public.attendance if a.participant_id in read.attendance_of]
    return public


@router.post("/activities/{activity_id}/attendance", responses=WRITE_ERRORS)
def record_attendance(activity_id: UUID, body: RecordAttendanceBody, run: RunDep) -> CommandResult:
    """Record a participant's minutes attended; recording again corrects it."""
    return run(body.command(activity_id=activity_id))


@router.post("/activities/{activity_id}/held", responses=WRITE_ERRORS)
def record_session_held(activity_id: UUID, body: RecordSessionHeldBody, run: RunDep) -> CommandResult:
    """Record when a session actually started and ended (staff); attendance may then run that long."""
    return run(body.command(activity_id=activity_id))


@router.put("/activities/{activity_id}/accreditor-ids", responses=WRITE_ERRORS)
def record_activity_ids(activity_id: UUID, body: RecordActivityIdsBody, run: RunDep) -> CommandResult:
    """Record a CE activity's ids at the accreditors (PARS activity id, ACPE UAN, CAPCE course
    number) and its commercial support, as they assigned them; a later record replaces them."""
    return run(body.command(activity_id=activity_id))


@router.post("/participants", status_code=201, responses=WRITE_ERRORS)
def register_participant(body: RegisterParticipantBody, run: RunDep) -> CommandResult:
    """Register a person (a coach, faculty, or a member to add later)."""
    return run(body.command())


@router.get("/participants/{participant_id}", responses=READ_ERRORS)
def get_participant(participant_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> ParticipantPublic:
    """One participant's details (staff and auditors)."""
    return ParticipantPublic.of(queries.participant(principal, participant_id))


@router.put("/participants/{participant_id}", responses=WRITE_ERRORS)
def update_participant(participant_id: UUID, body: UpdateParticipantBody, run: RunDep) -> CommandResult:
    """Update a participant's name, credentials, email, licences or accreditor ids."""
    return run(body.command(participant_id=participant_id))


@router.post("/participants/{participant_id}/erasure", responses=WRITE_ERRORS)
def erase_participant(participant_id: UUID, body: ErasePersonBody, run: RunDep) -> CommandResult:
    """Erase a person's personal data at their request (staff). Their key is destroyed before
    this answers, so every copy of their data (events, snapshots, read models, the feed,
    Kafka) is unreadable at once; their CE record keeps name and licences until
    `ce_record_kept_until` (QI_CE_RETENTION_YEARS, 6 by default), then those go too."""
    return run(body.command(participant_id=participant_id))


@router.get("/participants/{participant_id}/erasure", responses=READ_ERRORS)
def erasure_of(participant_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> RetentionPublic:
    """Whether the person was erased, and what their CE record keeps until when (staff)."""
    return RetentionPublic.of(queries.retention(principal, participant_id))


@router.get("/participants/{participant_id}/export", responses=READ_ERRORS)
def personal_data_export(
    participant_id: UUID, queries: QueriesDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Everything the engine holds about a person, open, as JSON: their subject-access export (staff)."""
    return queries.personal_data_export(principal, participant_id)
