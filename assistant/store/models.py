"""ORM models of the knowledge store (SQLAlchemy 2.0 typed mappings)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base; JSON lists are stored with the portable JSON type."""

    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[dict[str, Any]]: JSON}


class Source(Base):
    """One imported source release: the unit of import and of provenance."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # taxonomy | offers | documents
    version: Mapped[str] = mapped_column(String(100))
    checksum: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(Text, default="")
    attribution: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Occupation(Base):
    """An occupation or classification group in one scheme (csco2022, esco, isco08, ...)."""

    __tablename__ = "occupations"
    __table_args__ = (
        UniqueConstraint("scheme", "key", name="uq_occupation_scheme_key"),
        Index("ix_occupation_scheme_code", "scheme", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(40))
    uri: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12), default="occupation")  # occupation | group
    level: Mapped[int | None] = mapped_column(Integer)
    parent_code: Mapped[str | None] = mapped_column(String(40))
    isco_code: Mapped[str | None] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(Text)
    alt_titles: Mapped[list[str]] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    tasks: Mapped[list[str]] = mapped_column(default=list)
    language: Mapped[str] = mapped_column(String(8))
    tags: Mapped[list[str]] = mapped_column(default=list)
    content_hash: Mapped[str] = mapped_column(String(64))


class Skill(Base):
    """A skill or knowledge concept (ESCO and compatible schemes)."""

    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("scheme", "uri", name="uq_skill_scheme_uri"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))
    uri: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(Text)
    alt_labels: Mapped[list[str]] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    skill_type: Mapped[str | None] = mapped_column(String(40))
    reuse_level: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    tags: Mapped[list[str]] = mapped_column(default=list)
    content_hash: Mapped[str] = mapped_column(String(64))


class OccupationSkill(Base):
    """Essential or optional link between an occupation and a skill."""

    __tablename__ = "occupation_skills"
    __table_args__ = (UniqueConstraint("occupation_id", "skill_id", name="uq_occupation_skill"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    occupation_id: Mapped[int] = mapped_column(ForeignKey("occupations.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(10))  # essential | optional


class Offer(Base):
    """An apprenticeship place or training offer."""

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("source_id", "external_id", name="uq_offer_source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)  # apprenticeship | training
    title: Mapped[str] = mapped_column(Text)
    provider: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(8))
    mode: Mapped[str | None] = mapped_column(String(10))
    duration_months: Mapped[float | None] = mapped_column(Float)
    duration_text: Mapped[str | None] = mapped_column(Text)
    cost: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(8))
    paid: Mapped[bool | None] = mapped_column(Boolean)
    wage: Mapped[str | None] = mapped_column(Text)
    subsidy: Mapped[str | None] = mapped_column(Text)
    qualification: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(Text)
    start_dates: Mapped[list[str]] = mapped_column(default=list)
    target_occupations: Mapped[list[str]] = mapped_column(default=list)
    target_skills: Mapped[list[str]] = mapped_column(default=list)
    eligibility: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)  # agreement, mentor, ...
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    citation: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))


class Document(Base):
    """A policy or guidance document; its passages are the retrievable units."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("source_id", "key", name="uq_document_source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    checksum: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(Text)
    citation: Mapped[str | None] = mapped_column(Text)
    passages: Mapped[list["Passage"]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Passage.ordinal"
    )


class Passage(Base):
    """A chunk of a document with its section path, e.g. ["总则", "第三条"]."""

    __tablename__ = "passages"
    __table_args__ = (UniqueConstraint("document_id", "ordinal", name="uq_passage_ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    section_path: Mapped[list[str]] = mapped_column(default=list)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    document: Mapped[Document] = relationship(back_populates="passages")


class Conversation(Base):
    """A chat session's dialogue state; deleting it really deletes it and its messages.

    `state` is plain JSON: SQLAlchemy does not see in-place changes, so callers assign a new
    dict (or use `assistant.store.conversations.set_state`) for a change to be saved.
    """

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid made by the caller
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Indexed: retention purges and the newest-first listing both go by it.
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    language: Mapped[str] = mapped_column(String(8))
    phase: Mapped[str] = mapped_column(String(30))
    consent: Mapped[bool | None] = mapped_column(Boolean)  # None: not asked yet
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)  # profile, pending items, last recommendations
    counsellor_notes: Mapped[str] = mapped_column(Text, default="")
    # SHA-256 of the key only the person's browser holds (conversation_keys.py); None: stored before keys existed,
    # readable by logged-in counsellors only.
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    case_code: Mapped[str | None] = mapped_column(String(8), unique=True, index=True)  # e.g. "K7M2QX", said aloud
    # passive_deletes: the database's ON DELETE CASCADE removes messages that were never loaded,
    # so deleting a long conversation does not read all of it first.
    messages: Mapped[list["ConversationMessage"]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="ConversationMessage.ordinal",
        passive_deletes=True,
    )


class ConversationMessage(Base):
    """One turn of a conversation; `ordinal` counts from 1 within the conversation."""

    __tablename__ = "conversation_messages"
    __table_args__ = (UniqueConstraint("conversation_id", "ordinal", name="uq_conversation_message_ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(12))  # user | assistant
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    phase: Mapped[str] = mapped_column(String(30))
    cards: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class User(Base):
    """A console account (counsellor, operator or admin); job seekers never log in.

    `username` is stored lower-case: logins are case-insensitive. Accounts are deactivated, not
    deleted, so the audit log's names keep pointing at someone.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))  # counsellor | operator | admin
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, with its parameters
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginSession(Base):
    """A server-side login: the cookie holds a random token, the table only its SHA-256.

    A stolen copy of the table therefore logs nobody in; ending a session is deleting its row.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_secret: Mapped[str] = mapped_column(String(64))  # form tokens are an HMAC of it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)  # purges go by it
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship()


class AuditEvent(Base):
    """Who did what to what, and when: logins, failed logins, account changes; never a password."""

    __tablename__ = "audit_events"
    # The login throttle reads a name's recent failures: target + time.
    __table_args__ = (Index("ix_audit_events_target_at", "target", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str | None] = mapped_column(String(64), index=True)  # None: the system or the CLI
    action: Mapped[str] = mapped_column(String(40), index=True)  # e.g. login, login.failed, user.create
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


# -- casework (0004): what counsellors add to a conversation. Every row goes with its conversation (ON DELETE
# CASCADE), so a job seeker's "delete my data" removes the counsellors' notes and plan too. Usernames are plain
# strings, as in the audit log: accounts are deactivated, never deleted.


class CaseAssignment(Base):
    """The counsellor a conversation is assigned to now; its history is in case_handovers."""

    __tablename__ = "case_assignments"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    counsellor: Mapped[str] = mapped_column(String(64), index=True)  # "mine" lists go by it
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseHandover(Base):
    """One change of counsellor: from whom (None when the case was unassigned), to whom, why, when."""

    __tablename__ = "case_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    from_user: Mapped[str | None] = mapped_column(String(64))
    to_user: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SuggestionReview(Base):
    """A counsellor's decision on one suggestion; every decision is kept and the latest one counts.

    `snapshot` is the suggestion as the counsellor saw it (title, duration, citation), so the plan can still
    cite it after the job seeker's next messages have changed the recommendations.
    """

    __tablename__ = "suggestion_reviews"
    __table_args__ = (Index("ix_suggestion_reviews_item", "conversation_id", "kind", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # occupation | apprenticeship | training | step
    ref: Mapped[str] = mapped_column(String(300))  # scheme:code, an offer id, or <step kind>:<its ref>
    decision: Mapped[str] = mapped_column(String(10))  # approved | rejected
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CaseNote(Base):
    """A counsellor's note on a conversation; notes are added, never edited."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CasePlan(Base):
    """The action plan agreed with the job seeker: ordered items (JSON, see assistant.casework.plan), draft or agreed."""

    __tablename__ = "case_plans"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(10))  # draft | agreed
    items: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))
    agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agreed_by: Mapped[str | None] = mapped_column(String(64))


# -- the casework loop (0007): corrections the chat honours, the person's name and contact, follow-up dates.


class CaseCorrection(Base):
    """A counsellor's correction of one profile line (skill, experience or goal): who, why, old and new.

    The chat re-applies every correction on each turn, so a line read again from the person's next message does
    not bring the old reading back. `old` is the line's key (a skill id, an experience's words, a goal's code or
    words); `new` the line that replaces it as the profile stores it, empty when the line was removed.
    """

    __tablename__ = "case_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(12))  # skill | experience | goal
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseContact(Base):
    """The name and contact a job seeker chose to give their counsellor, with when and to whom they agreed."""

    __tablename__ = "case_contacts"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    display_name: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(64))


class CaseFollowUp(Base):
    """When a counsellor means to get back to the person; "my follow-ups" go by owner and day."""

    __tablename__ = "case_follow_ups"
    __table_args__ = (Index("ix_case_follow_ups_owner_due", "owner", "due"),)

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    due: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
