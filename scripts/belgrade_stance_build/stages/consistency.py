"""Stage: consistency — corpus-wide rules of the gold entities: one surface form, one type and one
entity id everywhere, unless the differing mention logs its exception with a `reason`."""

from __future__ import annotations


class SurfaceForms(dict):
    """surface form → (type, entity id, file, line) of its first gold mention, in corpus order."""

    def add_document(self, where: str, entities, problems) -> None:  # the gold Entity records of a document
        for e in (e for e in entities if not e.reason):  # a mention with a reason logs an exception
            label, entity_id, first, line = self.setdefault(e.text, (e.label, e.entity_id, where, e.line))
            if (label, entity_id) != (e.label, e.entity_id):
                was = f"{label} {entity_id} at {first}:{line} (or give this mention a `reason`)"
                problems.add(
                    where, e.line, "inconsistent-entity", f"{e.text!r} is {e.label} {e.entity_id}, not {was}"
                )
