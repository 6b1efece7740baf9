"""Stage: ACLED-coded events with actors, counts, targets, casualties and a place.

An event word from the lexicon (`data/events.yaml`) becomes an event only where the report
says the event happened (sitreps/occurrence.py: not modal, future, negated, conditional,
planned, threatened or hypothetical), not before the news (sitreps/event_time.py), and not
as a generic statement unless a day anchors it. Speculation is never coded as an event.

Who acts, what is hit and where are read off the parse (sitreps/roles.py). The place is
named in what is hit or in a locative phrase of the event's own clause, or referred to
("the city", "there"); a word that refers back to an event ("the strikes", "the attack")
without a place of its own adds to the event the report last told of. Failing those, the
place is one named elsewhere in the clause, the one written of in the sentence before, or
the country of what was hit ("struck Russian radars"); never a dateline, nor a capital or
country that acts ("Moscow launched"). A place that is only a country counts where a day
anchors the event ("On Tuesday, Russia hit Ukraine"), else it only adds to an event placed
more precisely in that country; the headline's event adds to the text's.

ACLED's unit is one event per place, day, actors and sub-event type: "eight strikes on the
city" is one event with a count, strikes on Kharkiv and on Izium are two, and one sentence
tells of one act per place, coded by its most specific word.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any, TypeGuard

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from sitreps import (
    actors,
    cyrillic,
    event_classifier,
    event_time,
    lexicons,
    occurrence,
    roles,
)
from sitreps.event_classifier import Prediction
from sitreps.gazetteer import distance_km
from sitreps.matching import TermMatch
from sitreps.model import (
    IN_AN_ORGANISATION,
    NOT_A_SCENE,
    Actor,
    Certainty,
    Claim,
    ClaimKind,
    CodedBy,
    Damage,
    Event,
    Place,
    Quantity,
    Source,
    Target,
    TextPart,
    Weapon,
)
from sitreps.numbers import VAGUE, parse_number
from sitreps.occurrence import Status
from sitreps.state import DocumentState, language_of, span_of, stage, tokens_of

log = logging.getLogger(__name__)
CERTAINTY_WEIGHT = {
    Certainty.ASSERTED: 1.0,
    Certainty.REPORTED: 1.0,
    Certainty.HEDGED: 0.8,
    Certainty.DENIED: 0.5,
}
DEFINITE = {"the", "these", "this", "those", "that"}
ARTICLELESS = {"ru", "uk"}
FURTHER = {
    "another", "new", "fresh", "further", "renewed", "second", "third", "more",
    "новый", "новий", "очередной", "черговий", "повторный", "повторний", "ещё", "ще",
    "другой", "інший", "второй", "другий", "третий", "третій",
}  # fmt: skip
# How sure the sentence classifier must be to code a generic trigger ("attack"), and to
# drop a trigger whose sentence it reads as news that is no ACLED event (an industrial blast).
CLASSIFIER_DECIDES = 0.5
CONTEXT_CODED = 0.6  # how sure a coding taken from the report's last event is
CLASSIFIER_VETOES = 0.7
# How many sentences back a word that refers to an event ("the strikes") looks for it.
REFERENCE_WINDOW = 3
# An unplaced event happened where the report last placed something, this few sentences back.
PLACE_WINDOW = 1
TOWN_WINDOW = 2  # "the city" is a town the report named this few sentences back at most
REGION = 3  # ACLED geo_precision of a region or a country
REMOTE_VIOLENCE = "Explosions/Remote violence"
VIOLENCE_AGAINST_CIVILIANS = "Violence against civilians"
REGAINS_TERRITORY = "Government regains territory"
OVERTAKES_TERRITORY = "Non-state actor overtakes territory"
TERRITORIAL = {REGAINS_TERRITORY, OVERTAKES_TERRITORY}
ARMED_CLASH = "Armed clash"
BATTLES = "Battles"
AFFILIATING_PREPOSITIONS = {"in", "of"}  # "the regime in Kyiv", "the leadership of Ukraine"
ATTACK = "Attack"
ARRESTS = "Arrests"
# Who protests or riots unnamed, with ACLED's inter code: the crowd of the country it is in.
PROTESTS = "Protests"
CROWDS = {PROTESTS: ("Protesters", 6), "Riots": ("Rioters", 5)}
EXCESSIVE_FORCE = "Excessive force against protesters"  # the state acts, not the crowd
PEACEFUL_PROTEST = "Peaceful protest"
PROTEST_WITH_INTERVENTION = "Protest with intervention"
NEARBY_KM = 50.0
# ACLED places strikes on a city's districts at the city: a place this near a capital or a
# division's seat is one of its parts ("Kyiv" and "Kyiv's Podilskyi district").
CITY_KM = 15.0
CITIES = {"P.PPLC", "P.PPLA", "P.PPLA2"}
DEMONYM_CONFIDENCE = 0.8  # a country read off "Russian" is the event's only as a last resort
COUNTRY_FEATURES = {"A.PCLI", "A.PCLD", "A.PCLF", "A.PCLS", "A.PCLIX", "A.PCL", "A.TERR"}
CAPITAL = "P.PPLC"
DIVISION = "A.ADM1"
# An interception is its own act beside the attack it stops (ACLED: Disrupted weapons use).
SEPARATE_ACTS = {"Disrupted weapons use"}
DOWNING = {"type": "Strategic developments", "sub": "Disrupted weapons use"}
CODING_RANK = {CodedBy.TRIGGER: 0, CodedBy.CLASSIFIER: 1, CodedBy.CONTEXT: 2}
# "A protest" is a crowd's unless a government lodges it (`diplomatic_protest` in the lexicon).
PROTEST_WORDS = {"protest", "протест"}
# Words of an explosion, which tell of no one who caused it.
EXPLOSIONS = {"explosion", "blast", "взрыв", "вибух"}
# Words for a part of a city ("the Kyivskyi district of Donetsk", "Киевский район Донецка").
CITY_PARTS = {"district", "microdistrict", "quarter", "neighbourhood", "neighborhood",
              "район", "микрорайон", "мікрорайон", "квартал"}  # fmt: skip
# Verbs of an act's course, which carry its date ("Russia began striking the grid on 10
# October 2022").
ASPECTUAL = {"begin", "start", "continue", "resume", "keep", "stop", "cease", "начать",
             "продолжить", "продолжать", "возобновить", "прекратить", "стать", "почати",
             "продовжити", "продовжувати", "відновити", "припинити", "стати"}  # fmt: skip
PERSON_RELATIVES = {"who", "whom"}  # a clause they open describes a person
OWNERS = {"amod", "compound", "poss", "nmod"}  # how a phrase names whose forces or things
# Prepositions that date an event by another one, which is somewhere else.
DATED_BY = {"after", "since", "before", "following", "until", "till"}
# Reporting verbs whose subject may be the place telling of itself ("Odesa reported
# explosions overnight"); with the others a place subject is a government speaking.
WITNESS_VERBS = {"report", "post", "publish", "write", "tweet", "inform", "brief", "describe",
                 "recount", "observe", "mention", "note", "add"}  # fmt: skip


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    data: dict[str, Any] = lexicons.load("events")
    return data


def _words(words: list[str]) -> set[str]:
    return {w.lower() for w in words}


@dataclass
class _Draft:
    """An event as the report tells it so far: its coding, place, actors and evidence."""

    event_type: str
    sub_event_type: str
    coded_by: CodedBy
    place: Place | None
    geo_precision: int | None
    actor1: Actor | None
    actor2: Actor | None
    count: Quantity | None
    confidence: float
    day: str | None  # the words that date it ("July 18"), when they do
    anchored: bool  # a day anchors it, or a place more precise than a country does
    placed_by_context: bool = False  # its place is not in its own words
    claims: list[str] = field(default_factory=list)
    sentences: list[int] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    weapons: list[Weapon] = field(default_factory=list)
    fatalities: Quantity | None = None
    injured: Quantity | None = None

    def place_key(self) -> object:
        """The place and how precisely the event is at it: strikes on a city and on its
        surroundings are two events."""
        if self.place is None:
            return None
        return _identity(self.place), self.geo_precision

    def agrees_with(self, other: _Draft) -> bool:
        """The same event told twice: same coding and place, and no actor or day that
        differs."""
        return (
            self.event_type == other.event_type
            and self.sub_event_type == other.sub_event_type
            and self.place_key() == other.place_key()
            and _compatible(self.actor1, other.actor1)
            and not _different_days(self.day, other.day)
        )

    def cite(self, claim_id: str, sentence: int) -> None:
        """Record one more claim and sentence that speak of this event."""
        self.claims += [] if claim_id in self.claims else [claim_id]
        self.sentences += [] if sentence in self.sentences else [sentence]

    def arm(self, weapons: list[Weapon]) -> None:
        """Add the weapons named in one more sentence about this event."""
        self.weapons += [w for w in weapons if w not in self.weapons]

    def cite_all(self, other: _Draft) -> None:
        """Record the claims and sentences that speak of another telling of this event."""
        self.claims += [c for c in other.claims if c not in self.claims]
        self.sentences += [s for s in other.sentences if s not in self.sentences]

    def absorb(self, other: _Draft) -> None:
        self.count = _better_count(self.count, other.count)
        self.cite_all(other)
        self.actor1 = _first_actor(self.actor1, other.actor1)
        self.actor2 = self.actor2 or other.actor2
        if self.actor1 and self.actor2 and actors.same_side(self.actor1, self.actor2):
            self.actor2 = None
        self.day = self.day or other.day
        self.anchored = self.anchored or other.anchored
        self.targets += [t for t in other.targets if t not in self.targets]
        self.arm(other.weapons)
        self.fatalities = self.fatalities or other.fatalities
        self.injured = self.injured or other.injured
        self.confidence = max(self.confidence, other.confidence)


def _different_days(a: str | None, b: str | None) -> bool:
    """Whether two events' date words name two days ("July 18", "July 19"); a span of time
    ("two days after ...") names none."""
    return a is not None and b is not None and a != b and all(map(event_time.names_a_day, (a, b)))


def _compatible(a: Actor | None, b: Actor | None) -> bool:
    """Actors that may be the first of one event: the same, or one side's ("the Wagner
    Group captured Bakhmut", "the Russian military claimed it captured Bakhmut")."""
    return a is None or b is None or a.name == b.name or actors.same_side(a, b)


def _first_actor(a: Actor | None, b: Actor | None) -> Actor | None:
    """Of two first actors of one side, the group named over the state's forces in general:
    ACLED codes the Wagner Group, not Russia's forces, for what Wagner did."""
    if a is None or b is None:
        return a or b
    return b if a.inter == actors.STATE_FORCES and b.inter != actors.STATE_FORCES else a


def _better_count(a: Quantity | None, b: Quantity | None) -> Quantity | None:
    """Prefer an exact count to a vague one; of two exact counts keep the larger."""
    if a is None or b is None:
        return a or b
    a_exact, b_exact = a.high == a.low, b.high == b.low
    if a_exact != b_exact:
        return a if a_exact else b
    return a if (a.high or a.low) >= (b.high or b.low) else b


def _names_weapon(verb: Token, deps: set[str], excluded: frozenset[str] = frozenset()) -> bool:
    """Whether the verb's subject or object (as `deps` say) is a weapon: "40 drones"."""
    weapons = {w for words in _lexicon()["weapons"].values() for w in _words(words)} - excluded
    nouns = [c for c in verb.children if c.dep_ in deps]
    nouns += [c for n in nouns for c in n.children if c.dep_ == "conj"]
    nouns += [p for n in nouns for prep in n.children for p in prep.children if p.dep_ == "pobj"]
    return any(n.lemma_.lower() in weapons or n.lower_ in weapons for n in nouns) or any(
        f"{m.lower_} {n.lower_}" in weapons  # "an explosive device", "взрывное устройство"
        for n in nouns
        for m in n.lefts
        if m.dep_ in {"amod", "compound"}
    )


def _is_event_word(token: Token) -> bool:
    """False for words that name no event here: "a bomb" (only "bombed" is one), "launched"
    with no weapon, "hit" by no weapon, "attack drones" (a kind of drone), "a number of
    strikes" is one."""
    lemma = token.lemma_.lower()
    if lemma in _words(_lexicon()["verb_only"]) and token.pos_ != "VERB":
        return False
    if lemma in _words(_lexicon()["weapon_verbs"]) and token.pos_ in {"VERB", "AUX"}:
        return _names_weapon(token, {"dobj"})
    if _downs_a_weapon(token):
        return True
    if lemma in _words(_lexicon()["weapon_subject_verbs"]) and token.pos_ in {"VERB", "AUX"}:
        aircraft = _words(_lexicon()["aircraft"])
        landing = lemma in _words(_lexicon()["munition_subject_verbs"])
        return _names_weapon(token, {"nsubj", "nsubjpass"}, frozenset(aircraft if landing else ()))
    if lemma in _words(_lexicon()["downing_verbs"]) and token.pos_ in {"VERB", "AUX"}:
        return False  # "destroyed the bridge" by no weapon named: damage, not an event
    if token.dep_ == "compound":
        return False
    if lemma in PROTEST_WORDS and _words_of_a_government(token):
        return False  # "the embassy lodged a protest", "выразило протест"
    if token.dep_ == "pobj" and token.head.lower_ == "of":
        governor = token.head.head
        return (
            governor.pos_ in {"NUM", "VERB"}
            or governor.lower_ in VAGUE
            or governor.lower_ in roles.EVENT_COLLECTIVES
        )
    return True


def _words_of_a_government(protest: Token) -> bool:
    """A protest a government voices or hands over: its verb ("lodged", "выразило") or a
    note it is in ("a note of protest", "нота протеста")."""
    diplomatic = _words(_lexicon()["diplomatic_protest"])
    governor = protest.head.head if protest.dep_ == "pobj" else protest.head
    return protest.head.lemma_.lower() in diplomatic or governor.lemma_.lower() in diplomatic


def _downs_a_weapon(verb: Token) -> bool:
    """A downing verb whose patient is a weapon: "destroyed five drones", "five drones were
    destroyed" (`downing_verbs` in data/events.yaml)."""
    downing = verb.lemma_.lower() in _words(_lexicon()["downing_verbs"])
    return downing and verb.pos_ in {"VERB", "AUX"} and _names_weapon(verb, {"dobj", "nsubjpass"})


def _acts(candidates: list[tuple[TermMatch, Token]]) -> list[tuple[TermMatch, Token]]:
    """The event words of one sentence that state an event of their own.

    A verb hung off an event noun ("eight strikes hitting the city") is carried by the noun,
    and an event noun in a phrase on an event verb tells of that verb's event ("recaptured
    the village after heavy fighting").
    """
    kept = [(m, t) for m, t in candidates if _is_event_word(t)]
    nouns = {t.i for _, t in kept if t.pos_ not in {"VERB", "AUX"}}
    verbs = {t.i for _, t in kept} - nouns
    # "the strikes were intercepted": an interception is an act of its own
    separate = {t.i for m, t in kept if _separate_act(m.term, t)}

    def carried(verb: Token) -> bool:
        if verb.i in separate:
            return False
        return (verb.head.i != verb.i and verb.head.i in nouns) or any(
            c.dep_ in {"nsubj", "nsubjpass"} and c.i in nouns for c in verb.children
        )

    def circumstance(noun: Token) -> bool:
        return noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.i in verbs

    return [
        (m, t)
        for m, t in kept
        if (t.i in nouns and not circumstance(t)) or (t.i in verbs and not carried(t))
    ]


def _separate_act(term: str, word: Token) -> bool:
    if _downs_a_weapon(word):
        return True
    triggers = _lexicon()["triggers"]
    spec = triggers.get(term) or triggers.get(word.lemma_.lower())
    return isinstance(spec, dict) and spec["sub"] in SEPARATE_ACTS


def _spec(trigger: TermMatch, doc: Doc) -> str | dict[str, str]:
    """How the lexicon codes an event word: a type and sub-type, or "remote" or "generic"
    (decided by the weapons, the classifier or the context)."""
    triggers = _lexicon()["triggers"]
    if _downs_a_weapon(doc[trigger.start]):
        return DOWNING
    spec: str | dict[str, str] | None = triggers.get(trigger.term)
    if spec is None:  # weapon verbs: "launched drones"
        spec = triggers.get(doc[trigger.start].lemma_.lower(), "remote")
    return spec


def _code(
    trigger: TermMatch,
    sentence: TokenSpan,
    weapons: set[str],
    prediction: Prediction | None,
    previous: _Draft | None,
    on_civilians: bool = False,
    by_a_person: bool = False,
) -> tuple[str, str, float, CodedBy]:
    """ACLED event type, sub-event type, how sure the coding is, and what decided it.

    A specific trigger word or a named weapon decides; where the word is generic ("attack",
    "strike" with no weapon named), a confident sentence classifier does, then the remote
    violence the report has just told of ("eight strikes ... two additional attacks"), then
    the default: an armed clash, but for an attack on a civilian place or on civilians
    (`on_civilians`), where no one fights back and the weapon is only untold; by people who
    act alone or as gunmen (`by_a_person`: "gunmen attacked a synagogue"), ACLED's attack on
    civilians, before any remote violence just told of.
    """
    lexicon = _lexicon()
    spec = _spec(trigger, sentence.doc)
    if isinstance(spec, dict):
        return spec["type"], spec["sub"], 0.8, CodedBy.TRIGGER
    for sub, words in lexicon["weapons"].items():
        if weapons & _words(words):
            return "Explosions/Remote violence", sub, 0.8, CodedBy.TRIGGER
    if prediction is not None and prediction.probability >= CLASSIFIER_DECIDES:
        coded = prediction.type
        if coded.event_type and coded.sub_event_type:
            return (
                coded.event_type,
                coded.sub_event_type,
                prediction.probability,
                CodedBy.CLASSIFIER,
            )
    if spec == "generic" and on_civilians and by_a_person:
        return VIOLENCE_AGAINST_CIVILIANS, ATTACK, 0.6, CodedBy.CONTEXT
    if previous is not None and previous.event_type == REMOTE_VIOLENCE:
        return previous.event_type, previous.sub_event_type, CONTEXT_CODED, CodedBy.CONTEXT
    if spec == "generic" and not on_civilians:
        default = lexicon["generic_default"]
        return default["type"], default["sub"], 0.5, CodedBy.CONTEXT
    return "Explosions/Remote violence", lexicon["remote_default"], 0.6, CodedBy.CONTEXT


def _not_an_event(prediction: Prediction | None) -> bool:
    """The classifier is sure the sentence is news of another kind: a fire, a flood, talks."""
    return (
        prediction is not None
        and prediction.type.event_type is None
        and prediction.probability >= CLASSIFIER_VETOES
    )


def _by_sentence(starts: list[int], matches: list[TermMatch]) -> defaultdict[int, list[TermMatch]]:
    """Matches by the index of the sentence they start in (`starts`: each sentence's first
    token), in their order: a long report has thousands of sentences and matches, and
    comparing each with each grows as their square."""
    grouped: defaultdict[int, list[TermMatch]] = defaultdict(list)
    for match in matches:
        grouped[bisect_right(starts, match.start) - 1].append(match)
    return grouped


class _SentenceTypes:
    """The classifier's event type of each sentence it may code: one with an event word that
    does not code itself ("attack", "strike") and no weapon named (see `_code`). Asked for
    only when an event word there has passed every other test, as most never do: the
    classifier's encoder costs more than the rest of the stage. Fast mode's classifier does
    without the sentence embedding."""

    def __init__(
        self,
        sentences: list[TokenSpan],
        triggers: dict[int, list[TermMatch]],
        weapons: dict[int, list[TermMatch]],
        classifier: event_classifier.EventClassifier,
    ) -> None:
        self._sentences = sentences
        self._undecided = {
            index
            for index, found in triggers.items()
            if not weapons[index]
            and any(not isinstance(_spec(m, sentences[index].doc), dict) for m in found)
        }
        self._classifier = classifier
        self._known: dict[int, Prediction | None] = {}

    def of(self, index: int) -> Prediction | None:
        if index not in self._known:
            self._known[index] = (
                self._classifier.predict([self._sentences[index].text])[0]
                if index in self._undecided
                else None
            )
        return self._known[index]


def _target_phrase(head: Token) -> TokenSpan:
    keep = [t for t in head.subtree if t.i <= head.i or (t.head == head and t.dep_ == "prep")]
    last = max(t.i for t in keep)
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            last = max(last, max(t.i for t in child.subtree))
    return head.doc[head.left_edge.i : last + 1]


def _damage_of(verb: Token) -> Damage | None:
    for damage, words in _lexicon()["damage"].items():
        if verb.lemma_.lower() in _words(words):
            return Damage(damage)
    return None


def _targets(state: DocumentState, matches: list[TermMatch]) -> list[tuple[Target, Token]]:
    doc = state.parsed
    found = []
    for match in matches:
        head = doc[match.end - 1]
        anchor = head
        if anchor.dep_ == "pobj" and anchor.head.lower_ == "of" and anchor.head.head.pos_ == "NUM":
            anchor = anchor.head.head  # "One of the command posts"
        if anchor.dep_ not in {"nsubjpass", "dobj", "nsubj"}:
            continue
        damage = _damage_of(anchor.head)
        if damage is None or not occurrence.assess(anchor.head).occurred:
            continue
        phrase = _target_phrase(anchor)
        found.append(
            (
                Target(
                    kind=" ".join(t.lemma_.lower() for t in doc[match.start : match.end]),
                    count=state.quantities.get(head.i),
                    damage=damage,
                    span=span_of(phrase),
                ),
                anchor.head,
            )
        )
    return found


def _count(trigger: Token, state: DocumentState) -> Quantity | None:
    """How many: "eight strikes", "a series of strikes", "attacked 38 times"."""
    if trigger.i in state.quantities:
        return state.quantities[trigger.i]
    times = [c for c in trigger.children if c.lower_ == "times" and c.i in state.quantities]
    return state.quantities[times[0].i] if times else None


def _stated_number(token: Token) -> Quantity | None:
    """A number standing alone, or a range of two: "between five and seven were injured"."""
    numbers = [token, *(c for c in token.children if c.dep_ == "conj" and c.like_num)]
    values = [v for t in numbers if (v := parse_number(t.text)) is not None]
    if not values:
        return None
    stated = token.doc[min(t.i for t in numbers) : max(t.i for t in numbers) + 1]
    return Quantity(low=min(values), high=max(values), text=stated.text, span=span_of(stated))


def _tells_of_fact(claim: Claim | None) -> TypeGuard[Claim]:
    """A claim that may tell of an event: neither speculative nor an attitude ascribed to
    someone ("they hope to retake the town")."""
    return (
        claim is not None
        and claim.certainty is not Certainty.SPECULATIVE
        and claim.kind is not ClaimKind.ATTITUDE
    )


def _casualties(
    state: DocumentState, matches: list[TermMatch], claim_at: dict[int, Claim]
) -> Quantity | None:
    doc = state.parsed
    for match in matches:
        word = doc[match.start]
        if not _tells_of_fact(claim_at.get(word.i)):
            continue
        if not occurrence.assess(word).occurred:
            continue  # "could kill thousands"
        if word.pos_ == "NOUN" and word.i in state.quantities:
            return state.quantities[word.i]  # "claiming at least 143 lives", "12 deaths"
        related = [*word.children, word.head]
        for token in related:
            if (
                token.dep_ in {"nsubjpass", "nsubj", "dobj", "amod", "npadvmod"}
                or token.i == word.head.i
            ):
                if any(c.lower_ == "no" for c in token.children) or token.lower_ in {"no", "none"}:
                    stated = doc[token.left_edge.i : token.i + 1]  # "No one was killed": zero
                    return Quantity(low=0, high=0, text=stated.text, span=span_of(stated))
                if token.i in state.quantities:
                    return state.quantities[token.i]
                if token.like_num:
                    return _stated_number(token)
        if cyrillic.unparsed(word.sent):  # no parse of the language
            counted = _count_beside(state, word)
            if counted is not None:
                return counted
    return None


def _count_beside(state: DocumentState, word: Token) -> Quantity | None:
    """ "12 поранені", "загинули троє людей": the number just before the casualty word, or
    the noun it counts just after it."""
    doc = state.parsed
    before = doc[word.i - 1] if word.i > 0 else None
    if before is not None and before.like_num:
        return _stated_number(before)
    for token in doc[word.i + 1 : min(len(doc), word.i + 3)]:
        if token.i in state.quantities:
            return state.quantities[token.i]
    return None


def _opponent(
    claim_tokens: set[int],
    doc: Doc,
    actor1: Actor | None,
    place_country: str | None,
    victims: bool,
) -> Actor | None:
    """The other side named in the claim; civilians only where the sentence tells of victims."""
    for tokens in actors.mentions(doc[i] for i in sorted(claim_tokens)):
        candidate = actors.actor(tokens, place_country)
        if candidate is None or (actor1 is not None and _compatible(candidate, actor1)):
            continue  # not its opponent: the first actor itself, or its side
        if candidate.inter != actors.CIVILIANS or victims:
            return candidate
    return None


def _associated(draft: _Draft, state: DocumentState) -> list[Actor]:
    """Further actors named in the claims an event rests on ("foreign soldiers were deployed")."""
    doc, country = state.parsed, draft.place.country if draft.place else None
    known = {a.name for a in (draft.actor1, draft.actor2) if a is not None}
    found = []
    for claim_id in draft.claims:
        for tokens in actors.mentions(doc[i] for i in sorted(state.claim_tokens[claim_id])):
            candidate = actors.actor(tokens, country)
            if candidate is not None and candidate.name not in known:
                known.add(candidate.name)
                found.append(candidate)
    return found


def _is_country(place: Place) -> bool:
    return place.feature in COUNTRY_FEATURES


class _Report:
    """What the stage knows of the whole report while it reads it sentence by sentence."""

    def __init__(self, state: DocumentState) -> None:
        self.state = state
        self.doc = state.parsed
        self.sentences = list(self.doc.sents)
        self.places = {place.id: place for place in state.analysis.places}
        self.demonyms = lexicons.demonyms()
        # The first mention of each country named in the report, to place what hit it.
        self.country_places: dict[str, Place] = {}
        for place in state.analysis.places:
            if _is_country(place) and place.country:
                self.country_places.setdefault(place.country, place)
        self.news = event_time.news_time(self.doc, state.analysis.report.published_at)
        self.drafts: list[_Draft] = []
        self.last_place: Place | None = None  # the last place something happened at
        self.last_place_sentence = -PLACE_WINDOW - 1
        self.last_event: _Draft | None = None
        self.last_event_sentence = -REFERENCE_WINDOW - 1
        # event words of acts that did not happen or are older than the news: what they hit
        # is none of the event just told of
        self.other_acts: set[int] = set()
        self.points: dict[str, Place] = {}  # a division's place -> its ACLED point

    def place_of(self, token: Token) -> Place | None:
        """The place a word names, where something can happen: not a dateline, nor a place
        in an organisation's name ("the Kharkiv Regional Military Administration")."""
        place_id = self.state.place_tokens.get(token.i)
        place = self.places[place_id] if place_id else None
        return place if place is not None and place.qualifier not in NOT_A_SCENE else None

    def country_hit(self, scope: frozenset[int]) -> Place | None:
        """The country whose people or things the event hit: "Russian radars"."""
        for i in sorted(scope):
            for word in self.doc[i].children:
                country = lexicons.nationality(word, self.demonyms)
                if word.dep_ in {"amod", "compound", "poss"} and country is not None:
                    return self.country_place(country, word)
        return None

    def country_place(self, iso: str, word: Token) -> Place | None:
        """The report's mention of a country, or, where it names the country only by its
        demonym ("Russian territory"), a country place read off that word."""
        if iso in self.country_places:
            return self.country_places[iso]
        entry = self.state.resources.gazetteer.country(iso)
        if entry is None:
            return None
        place = Place(
            id=f"p{len(self.state.analysis.places) + 1}",
            surface=word.text,
            span=span_of(self.doc[word.i : word.i + 1]),
            geonameid=entry.geonameid,
            name=entry.name,
            lat=entry.lat,
            lon=entry.lon,
            country=iso,
            feature=entry.feature,
            geo_precision=REGION,
            confidence=DEMONYM_CONFIDENCE,
            method="demonym",
        )
        self.state.analysis.places.append(place)
        self.places[place.id] = self.country_places[iso] = place
        return place

    def acled_point(self, place: Place) -> Place:
        """Where ACLED puts an event it can place only in a first-level division or a
        country: at the division's centre town or the country's capital (geo_precision 3 all
        the same, the qualifier saying so), not at the centre of its area, which may be no
        town at all."""
        if not place.country or place.id in self.points:
            return self.points.get(place.id, place)
        gazetteer = self.state.resources.gazetteer
        if _is_country(place):
            seat, qualifier = gazetteer.capital(place.country), f"capital, for {place.name}"
        elif place.feature == DIVISION and place.admin1_code:
            seat, qualifier = (
                gazetteer.seat(place.country, place.admin1_code),
                f"centre of {place.name}",
            )
        else:
            return place
        if seat is None:
            return place
        point = place.model_copy(
            update={
                "id": f"p{len(self.state.analysis.places) + 1}",
                "geonameid": seat.geonameid,
                "name": seat.name,
                "lat": seat.lat,
                "lon": seat.lon,
                "feature": seat.feature,
                "geo_precision": REGION,
                "qualifier": qualifier,
                "method": "seat",
                "alternatives": [],
            }
        )
        self.state.analysis.places.append(point)
        self.points[place.id] = point
        return point

    @cached_property
    def countries(self) -> frozenset[int]:
        """Tokens of place mentions that name a country."""
        return frozenset(
            i
            for i, place_id in self.state.place_tokens.items()
            if _is_country(self.places[place_id])
            and self.places[place_id].qualifier != IN_AN_ORGANISATION
        )

    def speaker_country(self, claim: Claim) -> str | None:
        """The country of who makes the claim (its innermost source), for "the enemy"; in the
        outlet's own words, only an outlet that is a government's body speaks for a side
        (a General Staff's or a regional administration's statement)."""
        source = self.state.analysis.source(claim.attribution[-1])
        if len(claim.attribution) < 2 and not (source.affiliation or "").startswith(
            "Government of"
        ):
            return None
        return actors.country_in(
            " ".join(filter(None, (source.affiliation, source.name, source.descriptor)))
        ) or self._country_named_by(source)

    def _country_named_by(self, source: Source) -> str | None:
        """The country of a place the source's own words name ("Губернатор Брянской
        области"), where only one side claims it."""
        for mention in source.mentions:
            for token in tokens_of(self.doc, mention) or []:
                place = self.place_of(token)
                if place is not None and place.country:
                    division = f"{place.country}.{place.admin1_code}"
                    return None if division in actors.contested_divisions() else place.country
        return None


def _place(
    report: _Report, scope: frozenset[int], trigger: Token, index: int
) -> tuple[Place | None, int]:
    """The place named in the event's own words, the most precise first, and its ACLED
    geo_precision; else the place just written of where the event's words refer to it
    ("there", "the city", "surrounding districts" -> 2)."""
    doc = report.doc
    place = _most_precise(report, scope)
    if place is not None:
        return place, place.geo_precision
    # "the city" is where something last happened, else the town last named; "the region"
    # likewise, else the region last named
    town = report.last_place or _named_before(report, index, "P.", trigger)
    region = report.last_place or _named_before(report, index, "A.ADM", trigger)
    if town is None and region is None:
        return None, 0
    surroundings = _words(_lexicon()["surroundings"])
    anaphora = _lexicon()["place_anaphora"]
    own = {t.i for t in trigger.subtree}
    words = [doc[i] for i in sorted(scope)]
    words += [c for c in (*trigger.children, *trigger.head.children) if c.dep_ == "advmod"]
    # Russian and Ukrainian mark no definiteness: "регион подвергся обстрелам" is the region
    # just named
    articleless = language_of(doc) in ARTICLELESS
    for word in words:
        # "the city", "the key Ukrainian city"
        definite = (
            articleless
            or any(c.dep_ == "det" and c.lower_ in DEFINITE for c in word.children)
            or (word.i > 0 and doc[word.i - 1].lower_ in DEFINITE)
        )
        near = any(c.lower_ in surroundings for c in word.children)
        said = {word.lower_, word.lemma_.lower()}
        if town is not None and (
            word.lower_ in {"there", "там"}
            or (definite and said & {*anaphora["any"], *anaphora["city"]})
        ):
            return town, 2 if near else town.geo_precision  # "the city", "there"
        if region is not None and definite and said & set(anaphora["region"]):
            return region, 3
        if town is not None and word.lower_ in surroundings and word.i in own:
            return town, 2  # "two attacks striking surrounding districts"
    return None, 0


def _named_before(report: _Report, index: int, feature: str, word: Token) -> Place | None:
    """The town (`feature` "P.") or division ("A.ADM") the report named last before the
    event's `word`, a few sentences back at most: what "the city" or "the region" of a
    report that has told of nothing there yet refers to ("he will withdraw his troops from
    Bakhmut ... captured the key Ukrainian city", "the Bryansk governor said the region came
    under fire")."""
    earliest = report.sentences[max(0, index - TOWN_WINDOW)].start
    for i in range(word.i - 1, earliest - 1, -1):
        place = report.place_of(report.doc[i])
        if place is not None and (place.feature or "").startswith(feature):
            return place
    return None


def _place_around(
    report: _Report, scope: frozenset[int], clause: frozenset[int], index: int, hits: bool
) -> tuple[Place | None, int]:
    """For an event whose own words name no place: a place its clause names ("strikes on
    objects placed within the Odesa port"); else the place of the event told of in the
    sentence before, at ACLED's "near" precision (a place merely written of there, such as
    a plane crash's, places nothing after it); else, for an act that `hits` something, the
    country of what was hit ("struck Russian radars"; not "shot down a Russian aircraft")."""
    # A country only after a word of place: "in Yemen", not "with help from the US".
    countries = report.countries
    located = frozenset(
        i
        for i in clause
        if i not in countries or report.doc[i].head.lower_ in roles.LOCATIVE_PREPOSITIONS
    )
    place = _most_precise(report, located)
    if place is not None:
        return place, place.geo_precision
    event = report.last_event
    just_told = event is not None and index - report.last_event_sentence <= PLACE_WINDOW
    if just_told and event is not None and event.place is not None and event.anchored:
        return event.place, max(event.geo_precision or event.place.geo_precision, 2)
    hit = report.country_hit(scope) if hits else None
    return (hit, REGION) if hit is not None else (None, 0)


def _most_precise(report: _Report, words: frozenset[int]) -> Place | None:
    named = {
        i: p
        for i in sorted(words)
        if (p := report.place_of(report.doc[i])) is not None and not _affiliation(report, i)
    }
    inner = [
        p
        for i, p in named.items()
        if not _contains_another(report, i, named) and not _part_of_a_city(report, i, named)
    ]
    return min(inner, key=lambda p: (_is_country(p), p.geo_precision), default=None)


def _contains_another(report: _Report, index: int, named: dict[int, Place]) -> bool:
    """Whether a place word only says where another named place lies: Luhansk in "the
    Antratsytiv district in Luhansk", the region in "the village of Dragunskoe in the
    Belgorod region"."""
    word = report.doc[index]
    preposition = word.head
    if word.dep_ != "pobj" or preposition.lower_ != "in" or preposition.head.i in named:
        return False
    outside = {t.i for t in preposition.subtree}
    return any(
        i not in outside and place.id != named[index].id
        for i, place in named.items()
        if report.doc[i].is_ancestor(report.doc[index])
        or preposition.head.is_ancestor(report.doc[i])
    )


@lru_cache(maxsize=1)
def _speaking_verbs() -> frozenset[str]:
    return frozenset(lexicons.load("attribution")["reporting_verbs"]) - WITNESS_VERBS


def _part_of_a_city(report: _Report, index: int, named: dict[int, Place]) -> bool:
    """Whether a place word names a district of a city the phrase names ("the Kyivskyi
    district of Donetsk", "в Киевском районе Донецка"): the gazetteer knows no city's
    districts, only towns that share their names, so the city places the event."""
    word = report.doc[index]
    district = next((w for w in (word, word.head) if w.lemma_.lower() in CITY_PARTS), None)
    if district is None:
        return False
    cities = [
        target
        for child in district.children
        for target in (
            [child] if child.dep_ == "nmod" else
            [g for g in child.children if g.dep_ == "pobj"] if child.lower_ == "of" else []
        )
    ]  # fmt: skip
    return any(
        (city := named.get(t.i)) is not None
        and city.id != named[index].id
        and (city.feature or "").startswith("P.")
        for t in cities
    )


def _affiliation(report: _Report, index: int) -> bool:
    """Whether a place word qualifies people or a body ("the Washington and Brussels elite",
    "New York officials", "the regime in Kyiv"): an affiliation, not where something
    happened."""
    word = report.doc[index]
    place_id = report.state.place_tokens.get(index)
    while word.head.i != word.i and (
        word.dep_ == "conj" or report.state.place_tokens.get(word.head.i) == place_id
    ):
        word = word.head
    if word.dep_ == "nsubj" and word.head.lemma_.lower() in _speaking_verbs():
        return True  # "which Gershkovich, Washington and The WSJ deny": a government speaks
    if word.dep_ == "pobj" and word.head.lower_ in AFFILIATING_PREPOSITIONS:
        # "the regime in Kyiv"; not "the embassy in Kyiv", a building where it stands
        ruled_from = word.head.head
        return ruled_from.lemma_.lower() in _words(_lexicon()["rulers"])
    if word.dep_ not in {"compound", "nmod", "amod", "poss"}:
        return False
    qualified = {word.head.lemma_.lower(), word.head.lower_}
    if qualified & _words(_lexicon()["affiliation_nouns"]):
        return True
    # A country qualifying one actor is a nationality ("the US journalist was arrested"), not
    # where it happened; people in numbers are hit where they live ("Ukrainian civilians").
    place = report.place_of(report.doc[index])
    one_actor = word.head.tag_ == "NN" and bool(qualified & actors.actor_words())
    return one_actor and place is not None and _is_country(place)


def _actor1(
    report: _Report, agent: list[Token], patients: list[Token], claim: Claim, country: str | None
) -> Actor | None:
    """Who acts: the actor the agent words name; a capital named as the agent stands for
    its state ("Kyiv has retaken", "Moscow launched"); civilians are witnesses, not
    perpetrators ("Residents reported explosions"). Where no agent names a side ("weapons
    attacked"), one side's forces hit ("the Ukrainian armed forces") tell the other."""
    found = None
    if agent:
        head = max(agent, key=lambda t: t.i)
        place = report.place_of(head)
        if place is not None and place.country and (place.feature == CAPITAL or _is_country(place)):
            forces = actors.forces_of(place.country)
            return forces.model_copy(
                update={"mention": span_of(report.doc[agent[0].i : head.i + 1])}
            )
        found = actors.actor(agent, country, report.speaker_country(claim))
        if found is not None and found.inter == actors.CIVILIANS:
            return None
    if found is None:
        hit = next((c for patient in patients if (c := _side_hit(report, patient))), None)
        if hit is not None:
            return actors.opponent_of(hit)
    return found


def _side_hit(report: _Report, patient: Token) -> str | None:
    """The country whose forces or things a patient phrase names, inside its own clause:
    "the Ukrainian armed forces", "positions of Ukrainian air defence", "аэродром сил ВСУ"
    (the forces in the genitive)."""
    for word in patient.subtree:
        country = lexicons.nationality(word, report.demonyms)
        if country is None and word.dep_ == "nmod":
            forces = actors.actor([word])
            if forces is not None and forces.inter == actors.STATE_FORCES:
                country = actors.country_in(forces.name)
        if word.i == patient.i or word.dep_ not in OWNERS or not country:
            continue
        node, in_clause = word.head, True
        while node.i != patient.i:
            in_clause = in_clause and node.pos_ not in {"VERB", "AUX"}
            node = node.head
        if in_clause:
            return country
    return None


def _arrests_at_protests(drafts: list[_Draft]) -> list[_Draft]:
    """ACLED codes protesters' arrests as the protest met by intervention, not as arrests of
    their own: "police detained 50 protesters at a rally" is a protest with intervention by
    the crowd, the police its second actor; arrests told right after a protest at its place
    and day add to that protest."""
    crowds = [d for d in drafts if d.event_type in CROWDS]
    kept: list[_Draft] = []
    for draft in drafts:
        if draft.sub_event_type != ARRESTS:
            kept.append(draft)
            continue
        of_protesters = draft.actor2 is not None and draft.actor2.inter == CROWDS[PROTESTS][1]
        crowd = next(
            (
                c
                for c in crowds
                if _same_place(c.place, draft.place)
                and not _different_days(c.day, draft.day)
                and (of_protesters or min(draft.sentences) - max(c.sentences) <= 1)
            ),
            None,
        )
        if crowd is not None:
            if crowd.sub_event_type == PEACEFUL_PROTEST:
                crowd.sub_event_type = PROTEST_WITH_INTERVENTION
            crowd.actor2 = crowd.actor2 or draft.actor1
            crowd.cite_all(draft)
            crowd.injured = crowd.injured or draft.injured
        elif of_protesters:
            draft.event_type, draft.sub_event_type = PROTESTS, PROTEST_WITH_INTERVENTION
            draft.actor1, draft.actor2 = draft.actor2, draft.actor1
            kept.append(draft)
        else:
            kept.append(draft)
    return kept


def _merge(drafts: list[_Draft], title: set[int]) -> list[_Draft]:
    """One event per place, day, actors and sub-event type; an event placed only in a
    region or a country adds to one placed inside it, and one placed in a country with no
    day to anchor it is dropped where nothing in that country takes it in. The headline
    (sentences `title`) tells of an event the text tells of too: it adds to one of the text
    nearby ("Missile strike kills three in Kharkiv" over "a missile hit a building in
    Kharkiv's Saltivskyi district")."""
    merged: list[_Draft] = []
    for draft in drafts:
        same = next((d for d in merged if d.agrees_with(draft)), None)
        if same is not None:
            same.absorb(draft)
        else:
            merged.append(draft)

    def headline(draft: _Draft) -> bool:
        return set(draft.sentences) <= title

    kept: list[_Draft] = []
    for draft in sorted(merged, key=lambda d: (headline(d), -_specificity(d))):
        wider = draft.geo_precision == 3 and draft.place is not None
        inside = next(
            (
                k
                for k in kept
                if _same_act(k, draft.event_type, draft.actor1)
                and (
                    (wider and _contains(draft, k))
                    or (headline(draft) and _nearby(draft, k))
                    or _one_city(draft, k)
                )
            ),
            None,
        )
        if inside is not None:
            inside.absorb(draft)
        elif draft.anchored:
            kept.append(draft)
    return sorted(kept, key=lambda d: min(d.sentences))


def _nearby(one: _Draft, other: _Draft) -> bool:
    """Places that one event may be told at both: within 50 km, or one holding the other."""
    if one.place is None or other.place is None:
        return False
    if one.place.lat is None or one.place.lon is None:
        return _contains(one, other)
    if other.place.lat is None or other.place.lon is None:
        return False
    near = distance_km(one.place.lat, one.place.lon, other.place.lat, other.place.lon) <= NEARBY_KM
    return near or _contains(one, other)


def _one_city(one: _Draft, other: _Draft) -> bool:
    """Whether two events of one day are at one city: one at it, the other in its parts."""
    a, b = one.place, other.place
    if a is None or b is None or a.country != b.country or not {a.feature, b.feature} & CITIES:
        return False
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return False
    return (
        not _different_days(one.day, other.day)
        and distance_km(a.lat, a.lon, b.lat, b.lon) <= CITY_KM
    )


def _specificity(draft: _Draft) -> int:
    if draft.place is None:
        return 0
    return 3 - (draft.geo_precision or 3) + (0 if _is_country(draft.place) else 1)


def _contains(wide: _Draft, narrow: _Draft) -> bool:
    """Whether the wide event's place (a region or a country) holds the narrow one's."""
    if wide.place is None or narrow.place is None or wide.place.country != narrow.place.country:
        return False
    if _is_country(wide.place):
        return True
    return bool(wide.place.admin1_code) and wide.place.admin1_code == narrow.place.admin1_code


def _same_act(event: _Draft, event_type: str, actor1: Actor | None) -> bool:
    return event.event_type == event_type and _compatible(event.actor1, actor1)


def _told_of(event: _Draft, event_type: str, sub_event_type: str, actor1: Actor | None) -> bool:
    """Whether an act may be the event just told of: of its kind, and for battles of its
    sub-event type ("captured the city ... battles are ongoing" are two acts), where a
    strike's weapon is often told only once."""
    kind = event_type == REMOTE_VIOLENCE or event.sub_event_type == sub_event_type
    return kind and _same_act(event, event_type, actor1)


@stage(
    requires=(
        "doc",
        "term_matches",
        "analysis.report",
        "analysis.mode",
        "analysis.sentences",
        "analysis.places",
        "place_tokens",
        "quantities",
        "analysis.sources",
        "analysis.claims",
        "claim_tokens",
        "claim_at_token",
    ),
    # the places it adds: an event placed in a division sits at its centre town, as ACLED
    # places it
    assigns=("analysis.events", "event_sentences", "analysis.places"),
)
def run(state: DocumentState) -> None:
    report = _Report(state)
    doc = report.doc
    sentences = report.sentences
    starts = [sentence.start for sentence in sentences]
    # Matched once per report, grouped by sentence; each sentence takes its own below.
    triggers, weapons, targets, fatalities, injured = (
        _by_sentence(starts, state.term_matches[f"events.{kind}"])
        for kind in ("trigger", "weapon", "target", "fatalities", "injured")
    )
    classifier = state.resources.event_classifier(state.analysis.mode)
    sentence_types = _SentenceTypes(sentences, triggers, weapons, classifier)
    claim_at = state.claim_at_token
    countries = report.countries
    for index, sentence in enumerate(sentences):
        weapons_named = [
            Weapon(
                kind=doc[m.start : m.end].lemma_.lower(),
                count=state.quantities.get(m.end - 1),
                span=span_of(doc[m.start : m.end]),
            )
            for m in weapons[index]
        ]
        named_weapons = {doc[m.start : m.end].lemma_.lower() for m in weapons[index]} | {
            m.term for m in weapons[index]
        }
        victims = bool(fatalities[index] or injured[index])
        acts = _acts([(m, doc[m.start : m.end].root) for m in triggers[index]])
        found: list[_Draft] = []
        for match, trigger in acts:
            draft = _draft(
                report, match, trigger, sentence, index, acts, claim_at, countries,
                named_weapons, weapons_named, victims, sentence_types,
            )  # fmt: skip
            if draft is not None:
                found += [draft, *_also_at(report, draft, trigger)]
        if not found:
            found = _damage_elsewhere(report, _targets(state, targets[index]), index, claim_at)
        for draft in _one_act_per_place(found):
            report.drafts.append(draft)
            report.last_event, report.last_event_sentence = draft, index
            if draft.place is not None and draft.anchored:
                # a bare country with no day is no event and places nothing after it
                report.last_place, report.last_place_sentence = draft.place, index
        # What a sentence tells of the event just told of: its own, or the last sentence's
        # where it tells of none ("A missile hit a warehouse. No one was killed."), or the
        # one at the place just written of
        event = report.last_event if index - report.last_event_sentence <= 1 else None
        if event is None and index - report.last_place_sentence <= 1:
            # "In Balakhya ... A node was eliminated in the area": the event at that place
            event = next(
                (d for d in reversed(report.drafts) if _same_place(d.place, report.last_place)),
                None,
            )
        if event is not None:
            for target, verb in _targets(state, targets[index]):
                claim = claim_at.get(verb.i)
                if _tells_of_fact(claim) and verb.i not in report.other_acts:
                    event.targets.append(target)
                    event.cite(claim.id, index)
                    report.last_event_sentence = index  # the report goes on about it
            event.fatalities = event.fatalities or _casualties(state, fatalities[index], claim_at)
            event.injured = event.injured or _casualties(state, injured[index], claim_at)
            if event.actor2 is None:
                tokens = {t.i for t in sentence}
                country = event.place.country if event.place else None
                event.actor2 = _opponent(tokens, doc, event.actor1, country, victims)
        for token in sentence:
            if token.dep_ == "pobj" and token.head.lower_ in roles.LOCATIVE_PREPOSITIONS:
                seen = report.place_of(token)
                if seen is not None and not _is_country(seen):
                    report.last_place, report.last_place_sentence = seen, index

    title = {s.index for s in state.analysis.sentences if s.part is TextPart.TITLE}
    for number, draft in enumerate(_merge(_arrests_at_protests(report.drafts), title), start=1):
        state.event_sentences[f"e{number}"] = sorted(draft.sentences)
        state.analysis.events.append(
            Event(
                id=f"e{number}",
                event_type=draft.event_type,
                sub_event_type=draft.sub_event_type,
                coded_by=draft.coded_by,
                actor1=draft.actor1,
                actor2=draft.actor2,
                associated_actors=_associated(draft, state),
                location=report.acled_point(draft.place).id if draft.place else None,
                geo_precision=draft.geo_precision,
                count=draft.count,
                targets=draft.targets,
                weapons=draft.weapons,
                fatalities=draft.fatalities,
                injured=draft.injured,
                claims=draft.claims,
                evidence=[span_of(sentences[i]) for i in sorted(draft.sentences)],
                confidence=min(1.0, draft.confidence),
            )
        )


def _draft(
    report: _Report,
    match: TermMatch,
    trigger: Token,
    sentence: TokenSpan,
    index: int,
    acts: list[tuple[TermMatch, Token]],
    claim_at: dict[int, Claim],
    countries: frozenset[int],
    named_weapons: set[str],
    weapons_named: list[Weapon],
    victims: bool,
    sentence_types: _SentenceTypes,
) -> _Draft | None:
    """The event one event word tells of, or None where it tells of none."""
    claim = claim_at.get(trigger.i) or _nearest_claim(trigger, sentence, claim_at)
    if not _tells_of_fact(claim):
        return _dropped(trigger, "no claim, a speculative one or an attitude")
    said = occurrence.assess(trigger)
    if said.status is Status.NOT_OCCURRED:
        report.other_acts.add(trigger.i)
        return _dropped(trigger, f"{said.reason} ({said.cue})")
    found = roles.of(trigger, countries)
    carriers = [trigger, *(t for t in (trigger.head,) if t.pos_ in {"VERB", "AUX"})]
    while carriers[-1].dep_ == "xcomp" and carriers[-1].head.lemma_.lower() in ASPECTUAL:
        carriers.append(carriers[-1].head)  # "began striking in October 2022": when it began
    dates = event_time.attached_dates(carriers)
    clause = [t for c in carriers for t in c.subtree]
    earlier = event_time.before_the_news(dates, clause, report.news) or event_time.long_after(
        trigger
    )
    if earlier is not None:
        report.other_acts.add(trigger.i)
        return _dropped(trigger, f"before the news ({earlier})")
    if _about_a_person(carriers) and not event_time.anchored(dates, []):
        report.other_acts.add(trigger.i)
        return _dropped(trigger, "what once befell a person the report is about")
    day_anchored = event_time.anchored(dates, sentence)
    if said.status is Status.GENERIC and not day_anchored:
        return _dropped(trigger, f"{said.reason} ({said.cue}) without a day")
    period = event_time.over_a_period(sentence)
    if period is not None and not day_anchored:
        return _dropped(trigger, f"told over a period ({period}) without a day")
    others = {t.i for _, t in acts if t.i != trigger.i}
    subtree = {t.i for t in trigger.subtree}
    # Words under another event word are that event's ("the attack, which came on a day when
    # one person was killed in Russian strikes on Kharkiv": Kharkiv is the strikes' place).
    told_within = {t.i for o in others if o in subtree for t in report.doc[o].subtree}
    # ... and under "after", "since", "before": the event it is dated by ("fighting after
    # the coup in Kyiv" is not in Kyiv)
    told_within |= {
        t.i
        for c in carriers
        for p in c.children
        if p.dep_ == "prep" and p.lower_ in DATED_BY
        for t in p.subtree
    }
    scope = frozenset(
        i
        for i in found.scope
        if (not any(report.doc[i].is_ancestor(report.doc[o]) for o in others) or i in subtree)
        and i not in told_within
    )
    # The clause around the event word, less its agent and the countries that are its
    # subjects ("Kyiv's mayor", "Russia strikes") and the words of other events.
    agent_words = {t.i for a in found.agent for t in a.subtree} | {
        t.i
        for c in carriers
        for s in c.children
        if s.dep_ == "nsubj"
        for t in s.subtree
        if t.i in countries
    }
    elsewhere = [o for _, o in acts if o.i != trigger.i and not o.is_ancestor(trigger)]
    clause_words = frozenset(
        t.i
        for c in carriers
        for t in c.subtree
        if t.i not in agent_words
        and t.i not in told_within
        and not any(o.is_ancestor(t) or o.i == t.i for o in elsewhere)
    )
    event = report.last_event
    recent = event is not None and index - report.last_event_sentence <= REFERENCE_WINDOW
    civilian = _words(_lexicon()["civilian_objects"])
    on_civilians = any(  # "a synagogue, a church and a police post": each of them
        w.lemma_.lower() in civilian
        for p in found.patients
        for one in (p, *p.conjuncts)
        for w in one.subtree
        if w.i <= one.i
    )
    prediction = sentence_types.of(index)
    event_type, sub_event_type, base, coded_by = _code(
        match, sentence, named_weapons, prediction, event if recent else None, on_civilians,
        _by_a_person(found.agent),
    )  # fmt: skip
    if coded_by is not CodedBy.TRIGGER and _not_an_event(prediction):
        return _dropped(trigger, f"the classifier reads no event ({prediction})")
    if sub_event_type in TERRITORIAL and not _takes_ground(report, trigger):
        return _dropped(trigger, "what it takes is no ground")
    if said.status is Status.ATTEMPTED:
        if event_type != BATTLES:
            return _dropped(trigger, f"attempted, not done ({said.cue})")
        sub_event_type = ARMED_CLASH  # "tried to capture Krynky": fought, nothing taken
    if sub_event_type == ARMED_CLASH and _with_a_crowd(trigger, found, report.sentences, index):
        riot = _lexicon()["riot"]
        event_type, sub_event_type = riot["type"], riot["sub"]
    if event_type in CROWDS:
        # a crowd gathers where it is: "Protesters in Peru have taken to the streets"
        scope |= {t.i for a in found.agent for p in roles.locatives(a) for t in p.subtree}
    place, precision = _place(report, scope, trigger, index)
    # Who fires at one side's forces or things is the other side: only for remote violence,
    # where the attacker is never among the victims.
    patients = found.patients if event_type == REMOTE_VIOLENCE else []
    actor1 = _actor1(report, found.agent, patients, claim, place.country if place else None)
    definite = any(c.lower_ in DEFINITE for c in trigger.children) or (
        # Russian and Ukrainian mark no definiteness: an event noun that is not "another"
        # refers to the event just told of ("Унаслідок обстрілу загинули троє людей").
        language_of(report.doc) in ARTICLELESS and trigger.pos_ == "NOUN"
    )
    day = " ".join(d.text for d in dates) or None
    # "another round of strikes", "on July 19" after July 18: not the event just told of
    same_event = (
        recent and not _another(trigger) and not (event and _different_days(event.day, day))
    )
    # "the attack" is the attack just told of, by the same hands, wherever it is placed
    told_of = event is not None and _told_of(event, event_type, sub_event_type, None)
    if actor1 is None and definite and same_event and told_of and event is not None:
        actor1 = event.actor1
    if place is None and event is not None and same_event and definite:
        return _told_again(report, event, claim, index, trigger, weapons_named, actor1)
    placed_by_context = place is None
    if place is None:
        hits = event_type == REMOTE_VIOLENCE
        place, precision = _place_around(report, scope, clause_words, index, hits)
    if place is not None and place.country is None:
        place = None  # "Europe": ACLED places an event in a country
    if place is None and sub_event_type == REGAINS_TERRITORY and actor1 is not None:
        # A government regains its own territory: "Ukrainian forces recaptured <a village
        # the gazetteer lacks>" happened in Ukraine; "retook towns and villages" names no
        # place to code.
        own = actors.country_in(actor1.name) if actor1.inter == 1 else None
        if own is not None and any(w.pos_ == "PROPN" for w in _taken(trigger)):
            word = found.agent[0] if found.agent else trigger
            place, precision = report.country_place(own, word), REGION
            day_anchored = place is not None  # a named place, if one the gazetteer lacks
    if place is None:
        if event is not None and same_event and _told_of(event, event_type, sub_event_type, actor1):
            return _told_again(report, event, claim, index, trigger, weapons_named, actor1)
        return _dropped(trigger, "no place")
    country = place.country
    heard_elsewhere = trigger.lemma_.lower() in EXPLOSIONS and not (
        event is not None and _same_place(event.place, place)
    )
    if actor1 is None and coded_by is CodedBy.CONTEXT and event is not None and recent:
        # more of the attacks just told of, by the same forces; not explosions heard in
        # another town ("взрывы прогремели в Херсоне" after a strike on Donetsk)
        actor1 = None if heard_elsewhere else event.actor1
    if actor1 is None and country:
        # The place found last may tell whose police or civilians act.
        actor1 = _actor1(report, found.agent, patients, claim, country)
    if actor1 is None and sub_event_type in SEPARATE_ACTS and country:
        # Who intercepts unnamed: the air defence of the country it happens over.
        actor1 = actors.forces_of(country)
    if actor1 is None and sub_event_type == ARRESTS and country:
        # Who arrests unnamed ("a man was detained"): the police of the country it is in.
        actor1 = actors.police_of(country)
    crowd_acts = event_type in CROWDS and sub_event_type != EXCESSIVE_FORCE
    if crowd_acts and country and (actor1 is None or actor1.inter != CROWDS[event_type][1]):
        # ACLED's first actor of a protest or a riot is the crowd, of the country it is in,
        # and the police it met the second: "Thousands of people took to the streets",
        # "riot police clashed with protesters"
        actor1 = actors.crowd_of(CROWDS[event_type], country)
    if actor1 is None and country and _unidentified_hands(sub_event_type, found.agent):
        actor1 = actors.unidentified_of(country)
    if actor1 is None and event_type == BATTLES:
        actor1 = _side_beside(report, index)
    if (
        actor1 is None
        and event_type == REMOTE_VIOLENCE
        and trigger.lemma_.lower() not in EXPLOSIONS
        and country is not None
        and report.speaker_country(claim) == country
    ):
        # a side's own officials telling of strikes on its land tell of the other side's
        # ("the region came under 19 shellings", the Bryansk governor said)
        actor1 = actors.opponent_of(country)
    if sub_event_type in TERRITORIAL and actor1 is not None and actor1.inter == 1 and country:
        # ACLED: a state retakes ground in its own country; a foreign state that takes ground
        # overtakes it, whatever the words ("liberated", "recaptured")
        own = actors.country_in(actor1.name)
        if own is not None:
            sub_event_type = REGAINS_TERRITORY if own == country else OVERTAKES_TERRITORY
    certainty = CERTAINTY_WEIGHT.get(claim.certainty, 1.0)
    needs_a_day = _is_country(place)
    many = trigger.tag_ in {"NNS", "NNPS"}
    wide = needs_a_day or (many and (precision or place.geo_precision) == REGION)
    if wide and _on_the_land(report, trigger, place):
        # "Russia's attack on Ukraine, including regular barrages, has boosted demand, the
        # company said on Tuesday", "attacks aimed against Crimea": the war or a campaign,
        # an event only on a day of its own.
        day_anchored = event_time.anchored(dates, _unreported(carriers[-1]))
        needs_a_day = True
    return _Draft(
        event_type=event_type,
        sub_event_type=sub_event_type,
        coded_by=coded_by,
        place=place,
        geo_precision=precision or place.geo_precision,
        actor1=actor1,
        actor2=_opponent(report.state.claim_tokens[claim.id], report.doc, actor1, country, victims),
        count=_count(trigger, report.state),
        confidence=round(base * certainty * place.confidence, 3),
        day=day,
        anchored=day_anchored or not needs_a_day or _follows(event, place),
        placed_by_context=placed_by_context,
        claims=[claim.id],
        sentences=[index],
        weapons=weapons_named,
    )


def _side_beside(report: _Report, index: int) -> Actor | None:
    """Who fights where the words of a battle name no side: the armed side that the
    sentence, or one beside it, has as the subject of a clause ("The fighting in several
    directions in the Kursk region continues. According to the Russian side, the Ukrainian
    Armed Forces are redeploying to attack").
    """
    for near in (index, index - 1, index + 1):
        if not 0 <= near < len(report.sentences):
            continue
        for word in report.sentences[near]:
            if word.dep_ != "nsubj":
                continue
            found = actors.actor([t for t in word.subtree if t.i <= word.i])
            if found is not None and found.inter in actors.ARMED_INTERS:
                return found
    return None


def _unidentified_hands(sub_event_type: str, agent: list[Token]) -> bool:
    """Whether who attacks is told of but not who they are: an attack on civilians by no
    side named ("a school shooting", "the shooting at the concert hall"), or a clash by a
    lone person ("a young man shot an officer"). ACLED codes both to the unidentified armed
    group of the country it happens in."""
    if sub_event_type == ATTACK:
        return True
    return sub_event_type == ARMED_CLASH and _by_a_person(agent)


def _by_a_person(agent: list[Token]) -> bool:
    """ "a young man", "gunmen": people who act alone or with no side named."""
    return bool(agent) and agent[-1].lemma_.lower() in _words(_lexicon()["lone_perpetrators"])


def _also_at(report: _Report, draft: _Draft, trigger: Token) -> list[_Draft]:
    """ "Strikes on Kharkiv and Izium": ACLED's one event per place, so one more event at
    each place the event's own words join to its place by "and", or name in a clause that
    leaves its verb out ("пять дронов над Белгородской областью, четыре – над Брянской")."""
    if draft.placed_by_context or draft.place is None or _is_country(draft.place):
        return []
    places: list[Place] = []
    named_here = [word for word in trigger.subtree if report.place_of(word) is draft.place]
    joined_words = [j for word in named_here for j in (*word.conjuncts, *_joined_phrases(word))]
    if named_here:
        joined_words += roles.gapped(trigger)
    for joined in joined_words:
        place = report.place_of(joined)
        if (
            place is not None
            and not _is_country(place)
            and not _same_place(place, draft.place)
            and not _affiliation(report, joined.i)
            and all(not _same_place(place, p) for p in places)
        ):
            places.append(place)
    share = draft.confidence / draft.place.confidence if draft.place.confidence else 0.0
    return [
        replace(
            draft,
            place=place,
            geo_precision=place.geo_precision,
            confidence=round(min(1.0, share * place.confidence), 3),
            claims=list(draft.claims),
            sentences=list(draft.sentences),
            targets=[],
            weapons=list(draft.weapons),
        )
        for place in places
    ]


def _joined_phrases(word: Token) -> list[Token]:
    """The words of the phrases joined by "and" to the phrase a place word is in: "in the
    village of Starichi and at the Yavoriv training ground"."""
    for ancestor in word.ancestors:
        if ancestor.pos_ in {"VERB", "AUX"}:
            break
        if ancestor.pos_ == "ADP" and ancestor.conjuncts:
            return [t for joined in ancestor.conjuncts for t in joined.subtree]
    return []


def _damage_elsewhere(
    report: _Report,
    damaged: list[tuple[Target, Token]],
    index: int,
    claim_at: dict[int, Claim],
) -> list[_Draft]:
    """ "Russia carried out strikes on Odesa ... Fuel depots were destroyed near Mykolaiv":
    damage told at a place of its own, amid the strikes the report tells of, is one more
    strike of that campaign there (damage at the strikes' own place is that strike's)."""
    event = report.last_event
    if event is None or event.event_type != REMOTE_VIOLENCE:
        return []
    if index - report.last_event_sentence > 1:
        return []
    found: list[_Draft] = []
    for target, verb in damaged:
        claim = claim_at.get(verb.i)
        if target.damage is Damage.HIT or not _tells_of_fact(claim):
            continue
        place = _most_precise(report, frozenset(t.i for t in verb.subtree))
        if place is None or _is_country(place) or _same_place(place, event.place):
            continue
        dates = event_time.attached_dates([verb])
        if event_time.before_the_news(dates, list(verb.subtree), report.news) is not None:
            continue
        draft = _Draft(
            event_type=event.event_type,
            sub_event_type=event.sub_event_type,
            coded_by=CodedBy.CONTEXT,
            place=place,
            geo_precision=place.geo_precision,
            actor1=event.actor1,
            actor2=event.actor2,
            count=None,
            confidence=round(
                CONTEXT_CODED * CERTAINTY_WEIGHT.get(claim.certainty, 1.0) * place.confidence, 3
            ),
            day=" ".join(d.text for d in dates) or None,
            anchored=True,
            claims=[claim.id],
            sentences=[index],
            targets=[target],
        )
        found += [draft, *_also_at(report, draft, verb)]
    return found


def _unreported(word: Token) -> list[Token]:
    """The clause of a word less the saying that reports it: the day in "..., the company
    said on Tuesday" dates the saying, not the clause."""
    sayings = [
        c for c in word.children if c.pos_ in {"VERB", "AUX"} and occurrence.reports(c)
    ]  # fmt: skip
    said = {t.i for c in sayings for t in c.subtree}
    return [t for t in word.subtree if t.i not in said]


def _with_a_crowd(
    trigger: Token, found: roles.Roles, sentences: list[TokenSpan], index: int
) -> bool:
    """Whether one side of a clash is a crowd: "riot police clashed with protesters"; a
    clash of no armed side is one with the crowd just written of ("Protesters gathered
    outside the court. Violent clashes followed")."""
    crowds = _words(_lexicon()["crowds"])
    sides = [*found.agent, *found.patients]
    sides += _objects_of(trigger, "with")
    verb = trigger.head.head if trigger.head.pos_ == "ADP" else trigger.head
    if verb.pos_ in {"VERB", "AUX"}:  # "supporters engaging in clashes with police"
        sides += [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
    named = [w.lower_ for side in sides for w in side.subtree if w.i <= side.i]
    if any(w in crowds for w in named):
        return True
    if any(w in actors.armed_words() for w in named):
        return False
    around = [t for s in sentences[max(0, index - 1) : index + 1] for t in s]
    return any(t.lower_ in crowds for t in around)


def _taken(trigger: Token) -> list[Token]:
    """The words that say what a territorial word takes: each thing taken and what names it
    ("the village of Robotyne", "the Zaporizhzhia plant"), not its other phrases ("the
    confrontations near the court in Baymak")."""
    taken = [c for c in trigger.children if c.dep_ in {"dobj", "nsubjpass"}]
    taken += _objects_of(trigger, "of")
    return [
        w
        for head in taken
        for w in (
            head,
            *(c for c in head.children if c.dep_ in {"compound", "appos", "conj"}),
            *_objects_of(head, "of"),
        )
    ]


def _takes_ground(report: _Report, trigger: Token) -> bool:
    """Whether what a territorial word takes is ground: a name, a place or a word for land
    ("captured the village", "the capture of Avdiivka"), not "seized assets" or "footage
    captured the confrontations"; where it names nothing taken, the word alone decides."""
    taken = _taken(trigger)
    if not taken:
        return True
    land = _words(_lexicon()["territory"])
    # a name may be a place the gazetteer or the tagger missed ("captured Avdiivka")
    return any(
        w.pos_ == "PROPN"
        or report.place_of(w) is not None
        or w.lemma_.lower() in land
        or w.lower_ in land
        for w in taken
    )


def _about_a_person(carriers: list[Token]) -> bool:
    """An act told in a clause that describes a person ("Gershkovich, who was arrested in
    Yekaterinburg in March, was sentenced on Friday"): background to the news about them,
    unless the clause names its own day."""
    return any(
        c.dep_ == "relcl"
        and (
            c.head.ent_type_ == "PERSON"
            or any(w.lower_ in PERSON_RELATIVES for w in c.children if w.dep_.startswith("nsubj"))
        )
        for c in carriers
    )


def _another(trigger: Token) -> bool:
    """ "another round of strikes", "a new attack", "fresh strikes": a further event."""
    carriers = [trigger]
    if trigger.head.lower_ == "of" and trigger.head.head.i != trigger.head.i:
        carriers.append(trigger.head.head)  # "another round of strikes"
    before = trigger.doc[trigger.i - 1] if trigger.i > 0 else None
    return any(
        c.dep_ in {"det", "amod"} and c.lower_ in FURTHER for w in carriers for c in w.children
    ) or (before is not None and before.lemma_.lower() in FURTHER)


def _objects_of(word: Token, preposition: str | None = None) -> list[Token]:
    """The objects of a word's prepositions, or of one of them: "clashed with protesters"."""
    return [
        o
        for c in word.children
        if c.dep_ == "prep" and (preposition is None or c.lower_ == preposition)
        for o in c.children
        if o.dep_ == "pobj"
    ]


def _on_the_land(report: _Report, trigger: Token, place: Place) -> bool:
    """Whether the event word's own object is the country or region it is placed in:
    "attack on Ukraine", "invaded Ukraine", "attacks aimed against Crimea"."""
    words = [trigger, *(c for c in trigger.children if c.dep_ == "acl")]
    objects = [c for w in words for c in w.children if c.dep_ == "dobj"]
    objects += [o for w in words for o in _objects_of(w)]
    return any(report.place_of(o) is place for o in objects)


def _identity(place: Place) -> object:
    """What one place's mentions share: its GeoNames id, else its name and country."""
    return place.geonameid or (place.name, place.country)


def _same_place(one: Place | None, other: Place | None) -> bool:
    """Two mentions of one place: "Balakhya ... In Balakhya"."""
    return one is not None and other is not None and _identity(one) == _identity(other)


def _follows(event: _Draft | None, place: Place) -> bool:
    """Whether an event placed where the report's last anchored event was follows on from it
    ("Iran launched 300 drones at Israel on Saturday. Almost all were intercepted")."""
    return event is not None and event.anchored and _same_place(event.place, place)


def _nearest_claim(trigger: Token, sentence: TokenSpan, claim_at: dict[int, Claim]) -> Claim | None:
    """The claim an event word outside every claim's span belongs with: the one it continues
    ("Ukraine said one person had been killed and 10 wounded in Russian strikes"), else the
    first after it in the sentence."""
    before = [claim_at[t.i] for t in sentence if t.i < trigger.i and t.i in claim_at]
    after = [claim_at[t.i] for t in sentence if t.i > trigger.i and t.i in claim_at]
    return before[-1] if before else after[0] if after else None


def _told_again(
    report: _Report,
    event: _Draft,
    claim: Claim,
    index: int,
    trigger: Token,
    weapons: list[Weapon],
    actor1: Actor | None,
) -> _Draft | None:
    """ "the strikes", "Two missiles struck the storage facility": the event just told of."""
    event.cite(claim.id, index)
    event.arm(weapons)
    event.actor1 = event.actor1 or actor1
    event.count = _better_count(event.count, _count(trigger, report.state))
    report.last_event_sentence = index
    return _dropped(trigger, "told of the event just before")


def _dropped(trigger: Token, why: str) -> _Draft | None:
    """No event from this word; the debug log says why."""
    log.debug("no event from %r in %r: %s", trigger.text, trigger.sent.text[:80], why)
    return None


def _one_act_per_place(found: list[_Draft]) -> list[_Draft]:
    """The events of one sentence: one act per place, coded by its most specific word;
    an act whose place the sentence does not name is the act it names a place for ("fierce
    fighting ... as the tank blasts its cannon near Kherson"); an interception stays an act
    of its own."""
    kept: list[_Draft] = []
    for draft in sorted(found, key=lambda d: (d.placed_by_context, CODING_RANK[d.coded_by])):
        separate = draft.sub_event_type in SEPARATE_ACTS
        same = next(
            (
                k
                for k in kept
                if (k.place_key() == draft.place_key() or draft.placed_by_context)
                and (k.sub_event_type in SEPARATE_ACTS) == separate
                and _compatible(k.actor1, draft.actor1)
            ),
            None,
        )
        if same is not None:
            same.absorb(draft)
        else:
            kept.append(draft)
    return kept
