"""Stage: consistency — corpus-wide rules of the gold entities: one surface form, one type and one
entity id everywhere, unless the differing mention logs its exception with a `reason`.

Each part collects the first (type, id) of every surface form it annotates; parts are merged in
corpus order, so memory holds one entry per distinct surface form, not per mention.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SurfaceForms:
    first: dict[str, tuple[str, str, str, int]] = field(default_factory=dict)  # text → (type, id, file, line)

    def _check(self, text: str, seen: tuple[str, str, str, int], problems) -> None:
        label, entity_id, where, line = seen
        earlier = self.first.get(text)
        if earlier is None:
            self.first[text] = seen
        elif earlier[:2] != (label, entity_id):
            problems.add(
                where,
                line,
                "inconsistent-entity",
                f"{text!r} is {label} {entity_id} here but {earlier[0]} {earlier[1]} at "
                f"{earlier[2]}:{earlier[3]}; "
                "give every mention of a surface form one type and id, or log the exception with a "
                "`reason` on this mention",
            )

    def add_document(self, where: str, entities, problems) -> None:
        """The gold entities of one document (Entity records with line and reason)."""
        for e in entities:
            if not e.reason:
                self._check(e.text, (e.label, e.entity_id, where, e.line), problems)

    def merge(self, other: SurfaceForms, problems) -> None:
        """A later part's forms into the corpus's."""
        for text, seen in other.first.items():
            self._check(text, seen, problems)
