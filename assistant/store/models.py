"""ORM models of the knowledge store (SQLAlchemy 2.0 typed mappings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
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
