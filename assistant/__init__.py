"""SkillPath: an open career-guidance assistant."""

__version__ = "0.2.0"
