"""The label inventories: every closed set of values in the corpus, defined once, imported by the
schemas, features, card and tests; the installed package reads them from the data's manifest."""

from __future__ import annotations

DATASET_VERSION = "0.4.0"
"""Semantic version of the packaged data (one place; pyproject reads the package's)."""

# Stance labels in ClassLabel order, which never changes: tweet_eval's (none=0, against=1, favor=2).
STANCE_LABELS: tuple[str, ...] = ("none", "against", "favor")

# Targets, each described as annotators read it (docs/annotation-guidelines.md defines them fully).
TARGETS: dict[str, str] = {
    "war": "Russia's war against Ukraine: the 2022 invasion, its conduct and continuation.",
    "putin": "Vladimir Putin and the Russian leadership under him (the Kremlin, his government).",
    "sanctions": "Western sanctions against Russia.",
    "nato": "NATO: the alliance, its expansion, its 1999 bombing of Yugoslavia.",
    "eu_integration": "Serbia's integration into / membership of the European Union.",
    "emigrants": (
        "The Russian (and Belarusian, Ukrainian) anti-war emigrants in Serbia: "
        "their presence, activism and acceptance."
    ),
}

# Entity types: OntoNotes 5 names, so spaCy's English models compare directly.
ENTITY_TYPES: dict[str, str] = {
    "PERSON": "People, including fictional ones.",
    "NORP": "Nationalities or religious or political groups.",
    "ORG": "Companies, agencies, institutions, media outlets, organised groups.",
    "GPE": "Countries, cities, states: geopolitical entities.",
    "LOC": "Non-GPE locations: regions, mountain ranges, bodies of water.",
    "FAC": "Buildings, airports, highways, bridges, named streets.",
    "EVENT": "Named hurricanes, battles, wars, sports events.",
    "WORK_OF_ART": "Titles of books, songs, films and other works.",
}

# BIO tags over ENTITY_TYPES, in ClassLabel order: O first, then B-/I- per type.
NER_TAGS: tuple[str, ...] = ("O",) + tuple(
    f"{prefix}-{etype}" for etype in ENTITY_TYPES for prefix in ("B", "I")
)

# Who holds a stance: the article's own voice, an annotated entity, or an unnamed group.
HOLDER_TYPES: dict[str, str] = {
    "author": "The article's own voice (the journalist or outlet).",
    "entity": "A named entity annotated in the document; holder is its entity id.",
    "group": "Unnamed people: holder is a group id of GROUPS, holder_description the sentence's words.",
}

# Groups of unnamed holders (guidelines 3.3): who is in, who is not. Named people and organisations are
# entities, a state's government (authorities, police, its capital) is the state's entity id.
GROUPS: dict[str, str] = {
    "serbian_public": "Serbs as a people or population: polled Serbians, 'many Serbs', the audience in "
    "Serbia. Not the state (entity serbia), nor a camp or party named by its acts or ideology.",
    "serbian_nationalists": "Serbia's nationalist and religious right, named by its ideology: nationalist "
    "politicians, nationalists, right-wing marchers. Not pro-Russian people named only by their acts.",
    "pro_russian_camp": "People in Serbia named by their support of Putin, Russia or its war, or by a "
    "pro-war act: Putin loyalists, pro-Russia rally goers, makers or sellers of 'Z' and Putin images.",
    "anti_war_camp": "People in Serbia protesting the war or Putin, not known to be emigrants: mixed "
    "rally crowds, Serbian peace activists, Putin opponents in Belgrade's streets.",
    "russian_emigrants": "Russians (and Belarusians, Ukrainians) who left their country, unnamed, in "
    "Serbia above all: the emigrants of the target. Not named people or the named anti-war group.",
    "russian_public": "Russians as a people, in Russia: polled Russians, protesters and demonstrators "
    "there, a boss. Not emigrants, nor the state (russia, kremlin, putin; russian_state_institutions).",
    "russian_state_institutions": "Unnamed Russian state bodies that are not its government: state "
    "media, the education system. Not the leadership or the government (entities russia, kremlin).",
}

# Boilerplate kinds: character ranges of a raw text that are not article body.
BOILERPLATE_KINDS: dict[str, str] = {
    "site_navigation": "Menus, section labels and buttons of the hosting site.",
    "html_residue": "Markup or attribute fragments left by text extraction.",
    "extraction_residue": "Stray characters left by text extraction (orphan quote marks, asterisks).",
    "headline": "The article's headline (kept in the metadata, not a body sentence).",
    "duplicated_headline": "A second copy of the headline.",
    "duplicated_text": "A teaser or summary that repeats body text verbatim.",
    "subheading": "A crosshead inside the article (not a sentence of the body).",
    "pull_quote": "A quotation set apart for display that repeats body text.",
    "byline": "Author line, agency credit or update timestamps.",
    "dateline": "Place and date line that opens a wire story.",
    "source_credit": "A line naming the source the text was taken from.",
    "author_bio": "A self-description of the author appended to the article.",
    "disclaimer": "A note of the hosting site about how the text was produced.",
    "media_player_notice": "Text of an embedded media player.",
    "trending_list": "Lists of other trending or related stories.",
    "related_links": "Links or headings pointing to other articles.",
    "footer": "Site footer: contacts, legal links, copyright.",
}

SPLITS: tuple[str, ...] = ("train", "validation", "test")

DATE_PRECISIONS: dict[str, str] = {
    "day": "The text states the full date.",
    "month": "The text states year and month only.",
    "estimated": "The date is inferred from evidence in the text (quoted in date_evidence).",
}

ANNOTATION_STATUSES: dict[str, str] = {
    "pending": "Not yet annotated: the document is in documents/sentences, not in stance.",
    "gold": "Adjudicated gold annotation exists for every body sentence.",
}

ANNOTATION_PASSES: dict[str, str] = {
    "a": "First independent annotation pass.",
    "b": "Second independent annotation pass, made blind to pass A.",
    "gold": "Adjudicated annotation: the labels the dataset ships.",
}

CONFIGS: tuple[str, ...] = ("stance", "holders", "sentences", "documents")
LICENSES: dict[str, str] = {  # SPDX id → the URL of its terms (LICENSES/<id>.txt holds each text)
    "MIT": "https://opensource.org/license/mit",  # the code: a software licence
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",  # annotations, metadata, guidelines, figures
    "LicenseRef-Third-Party-Texts": "LICENSES/LicenseRef-Third-Party-Texts.txt",  # the news texts: not ours
}
"""The licence of each part (LICENSE says which covers what); a relative URL is a file of the Hub folder."""
LICENSE_EXPRESSION = " AND ".join(LICENSES)
"""The SPDX expression of the whole (pyproject's PEP 639 `license`; tests hold the two equal)."""

DOC_ID = r"^[a-z0-9][a-z0-9_]{0,31}$"
"""Form of a doc_id: a lowercase slug of at most 32 characters."""
SHA256 = r"^[0-9a-f]{64}$"
"""Form of a sha256 digest: 64 lowercase hex digits."""

DEFAULT_CONFIG = "stance"
