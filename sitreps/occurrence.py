"""Whether an event word tells of something that happened, read off the parse.

ACLED codes what a report says has happened (or is happening). An event word does not when
its clause is modal or future ("Russia could strike"), negated ("did not attack"),
conditional ("if Russia attacks"), a question, the complement of an intention, threat or
plan ("vowed to retaliate", "is preparing to launch an attack", "ready to fight"), framed
as a fear or possibility ("the threat of strikes"), or qualified as hypothetical or earlier
("a possible attack", "previous strikes"). A generic or habitual statement ("regularly
shells", "has been attacking for months", "continues to strike") is an event only where a
day anchors it, which the events stage decides.

The walk goes up from the event word through the words that govern it. It stops at a verb
of saying or seeing (what "footage can be seen showing" or "he said" reports is judged on
its own), at a relative clause, and at a temporal or causal clause ("after Ukraine attacked
Crimea, Russia will respond"): their truth does not hang on the clause around them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from spacy.tokens import Token

from sitreps import lexicons

VERBAL = {"VERB", "AUX"}
# How an event word or its clause hangs off a governor that can make it unreal: "vowed to
# strike" (xcomp), "plans an attack" (dobj), "fears of attacks" (prep), "an attack is
# planned" (nsubjpass), and where natasha's parse of Russian loses the link ("пресечен ряд
# попыток ... совершить атаки": csubjpass, dep); a subject ("these attacks threaten ...") is
# not such a complement.
COMPLEMENT_DEPS = {"xcomp", "ccomp", "dobj", "pobj", "pcomp", "acl", "prep", "advcl", "attr",
                   "oprd", "acomp", "nsubjpass", "csubjpass", "dep", "npadvmod",
                   "dative"}  # fmt: skip


class Status(StrEnum):
    OCCURRED = "occurred"
    GENERIC = "generic"  # habitual or ongoing: an event only where a day anchors it
    NOT_OCCURRED = "not_occurred"
    ATTEMPTED = "attempted"  # tried or failed: an assault fought, not what it sought


@dataclass(frozen=True)
class Occurrence:
    status: Status
    reason: str | None = None  # "modal", "negated", "conditional", "question", "irrealis", ...
    cue: Token | None = None  # the word that says so

    @property
    def occurred(self) -> bool:
        return self.status is Status.OCCURRED


@dataclass(frozen=True)
class _Words:
    modals: frozenset[str]
    governors: frozenset[str]
    frames: frozenset[str]
    unreal: frozenset[str]
    not_violence: frozenset[str]
    earlier: frozenset[str]
    habitual: frozenset[str]
    continuing: frozenset[str]
    conditional: frozenset[str]
    stops: frozenset[str]
    accomplished: frozenset[str]
    remembered: frozenset[str]
    attempts: frozenset[str]


@cache
def _words() -> _Words:
    data = lexicons.load("occurrence")

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in data[key])

    return _Words(
        modals=words("modals"),
        governors=words("irrealis_governors"),
        frames=words("irrealis_nouns"),
        unreal=words("unreal_modifiers"),
        not_violence=words("not_violence_modifiers"),
        earlier=words("earlier_modifiers"),
        habitual=words("habitual"),
        continuing=words("continuing"),
        conditional=words("conditional"),
        stops=words("reporting_and_perception"),
        accomplished=words("accomplished"),
        remembered=words("remembered"),
        attempts=words("attempts"),
    )


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def reports(verb: Token) -> bool:
    """Whether a verb is one of saying or seeing ("said", "footage shows")."""
    return _lemma(verb) in _words().stops


def _is_question(trigger: Token) -> bool:
    tail = [t for t in trigger.sent if not (t.is_space or t.is_quote or t.text in {")", "]"})]
    return bool(tail) and tail[-1].text == "?"


def _modal(verb: Token) -> Token | None:
    words = _words()
    for child in verb.children:
        if child.dep_ in {"aux", "auxpass"} and (
            child.tag_ == "MD" or child.lower_ in words.modals
        ):
            return child
    return None


def _negation(token: Token) -> Token | None:
    for child in token.children:
        if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
            return child
    return None


def _conditional(verb: Token) -> Token | None:
    words = _words()
    for child in verb.children:
        if child.dep_ == "mark" and child.lower_ in words.conditional:
            return child
    return None


def _habitual(verb: Token) -> Token | None:
    """ "regularly shells", "has been shelling", "continues to attack"."""
    words = _words()
    for child in verb.children:
        if child.dep_ in {"advmod", "npadvmod"} and child.lower_ in words.habitual:
            return child
    auxiliaries = [c for c in verb.children if c.dep_ == "aux"]
    perfect = any(_lemma(a) == "have" for a in auxiliaries)
    if verb.tag_ == "VBG" and perfect and any(a.lower_ == "been" for a in auxiliaries):
        return verb
    if verb.dep_ == "xcomp" and _lemma(verb.head) in words.continuing:
        return verb.head
    return None


def _past_perfect(verb: Token) -> bool:
    """ "had fought", "had been shelled": what came before the story's own time."""
    return verb.tag_ == "VBN" and any(c.dep_ == "aux" and c.lower_ == "had" for c in verb.children)


def _purpose(verb: Token) -> Token | None:
    """ "redeploying to attack", "in order to strike": a "to" infinitive after a verb or noun
    that does not say it happened ("managed to strike", "were used to strike")."""
    words = _words()
    infinitive = verb.tag_ == "VB" and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in verb.children
    )
    if not infinitive or verb.dep_ not in {"xcomp", "advcl", "acl", "relcl", "ccomp"}:
        return None
    governor = verb.head
    if _lemma(governor) in words.accomplished or _lemma(governor) in words.stops:
        return None
    return governor


def _noun_modifier(noun: Token) -> Occurrence | None:
    words = _words()
    for child in noun.children:
        if child.dep_ not in {"amod", "det", "compound", "nmod", "advmod"}:
            continue
        if child.lower_ in words.not_violence or _lemma(child) in words.not_violence:
            return Occurrence(Status.NOT_OCCURRED, "no violence", child)
        if child.lower_ in words.unreal or _lemma(child) in words.unreal:
            return Occurrence(Status.NOT_OCCURRED, "hypothetical", child)
        if child.lower_ in words.earlier or _lemma(child) in words.earlier:
            return Occurrence(Status.GENERIC, "earlier or repeated", child)
    return None


def _range_of_kinds(trigger: Token) -> Occurrence | None:
    """ "from shelling in the Belgorod region to assassinations": the ends of a range of
    kinds of act, examples of a record rather than one event."""
    start = trigger.head
    if trigger.dep_ not in {"pobj", "pcomp"} or start.lower_ != "from":
        return None
    ends = [*trigger.children, *start.children]  # not "fled from shelling to the west"
    if any(c.dep_ == "prep" and c.lower_ == "to" and c.i > trigger.i for c in ends):
        return Occurrence(Status.GENERIC, "a range of kinds", start)
    return None


def assess(trigger: Token) -> Occurrence:
    """Whether the event word `trigger` tells of an event that happened."""
    words = _words()
    if _is_question(trigger):
        return Occurrence(Status.NOT_OCCURRED, "question", trigger.sent[-1])
    negation = _negation(trigger)
    if negation is not None:
        return Occurrence(Status.NOT_OCCURRED, "negated", negation)
    # "a possible attack"; "every bomb that exploded" is as generic as "every bomb"
    described = trigger.head if trigger.dep_ in {"relcl", "acl"} else trigger
    if described.pos_ not in VERBAL:
        modified = _noun_modifier(described)
        if modified is not None:
            return modified
    for child in trigger.children:  # "test-fired two missiles"
        if child.dep_ in {"npadvmod", "advmod", "compound"} and _lemma(child) in words.not_violence:
            return Occurrence(Status.NOT_OCCURRED, "no violence", child)
    generic = _range_of_kinds(trigger)
    node = trigger
    while True:
        if node.pos_ in VERBAL or node == trigger:
            if node != trigger and _lemma(node) in words.remembered and generic is None:
                generic = Occurrence(Status.GENERIC, "remembered", node)
            if node != trigger and _lemma(node) in words.stops:
                break
            modal = _modal(node)
            if modal is not None:
                return Occurrence(Status.NOT_OCCURRED, "modal", modal)
            negation = _negation(node) if node != trigger else None
            if negation is not None:
                return Occurrence(Status.NOT_OCCURRED, "negated", negation)
            condition = _conditional(node)
            if condition is not None:
                return Occurrence(Status.NOT_OCCURRED, "conditional", condition)
            purpose = _purpose(node)
            if purpose is not None:
                return _attempted(purpose) or Occurrence(
                    Status.NOT_OCCURRED, "purpose or intention", purpose
                )
            habit = _habitual(node)
            if habit is not None and generic is None:
                generic = Occurrence(Status.GENERIC, "habitual", habit)
            if node.dep_ == "relcl" and _past_perfect(node) and generic is None:
                # "a Georgian who had fought Russian troops in Chechnya": a life told
                generic = Occurrence(Status.GENERIC, "background (past perfect)", node)
            if node.dep_ in {"relcl", "advcl"} or node.dep_ == "ROOT":
                break
        governor = node.head
        if governor == node:
            break
        if node.dep_ in {"nsubj", "csubj"}:
            # "Another salvo is possible", "Launching an attack is likely"
            predicate = next((c for c in governor.children if c.dep_ in {"acomp", "attr"}), None)
            if predicate is not None and _lemma(predicate) in words.governors:
                return Occurrence(Status.NOT_OCCURRED, "irrealis", predicate)
        if node.dep_ == "prep" and _lemma(governor) == "be":
            # "there was no justification for a strike": the noun the copula states frames it
            stated = next((c for c in governor.children if c.dep_ == "attr"), None)
            if stated is not None and _lemma(stated) in words.frames:
                return Occurrence(Status.NOT_OCCURRED, "framed", stated)
        if node.dep_ in COMPLEMENT_DEPS:
            lemma = _lemma(governor)
            if governor.pos_ in VERBAL | {"ADJ"} and lemma in words.governors:
                return _attempted(governor) or Occurrence(Status.NOT_OCCURRED, "irrealis", governor)
            if governor.pos_ in {"NOUN", "PROPN"} and (
                lemma in words.frames or lemma in words.governors
            ):
                return Occurrence(Status.NOT_OCCURRED, "framed", governor)
        node = governor
    return generic or Occurrence(Status.OCCURRED)


def _attempted(governor: Token) -> Occurrence | None:
    """Where the governor is a try ("tried to", "failed to", "an attempt to"): attempted if
    the try happened; else nothing happened ("may try to", "keep trying to" is no one try)."""
    if _lemma(governor) not in _words().attempts:
        return None
    tried = assess(governor)
    if tried.occurred:
        return Occurrence(Status.ATTEMPTED, "attempted", governor)
    return Occurrence(Status.NOT_OCCURRED, tried.reason, tried.cue)
