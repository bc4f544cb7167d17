"""Stage: consistency — corpus-wide rules of the gold entities: one surface form, one type and one
entity id everywhere, unless the differing mention logs its exception with a `reason`."""

from __future__ import annotations


class SurfaceForms(dict):
    """surface form → (type, entity id, file, line) of its first gold mention, in corpus order."""

    def add_document(self, where: str, entities, problems) -> None:
        """The gold entities of one document (Entity records with line and reason)."""
        for e in (e for e in entities if not e.reason):  # a mention with a reason logs an exception
            label, entity_id, first, line = self.setdefault(e.text, (e.label, e.entity_id, where, e.line))
            if (label, entity_id) != (e.label, e.entity_id):
                problems.add(
                    where,
                    e.line,
                    "inconsistent-entity",
                    f"{e.text!r} is {e.label} {e.entity_id} here but {label} {entity_id} at {first}:{line} "
                    "(one type and id per surface form, or a `reason` on this mention)",
                )
