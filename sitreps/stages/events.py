"""Stage: ACLED-coded events with actors, counts, targets, casualties and a place.

Triggers from the lexicon (`data/events.yaml`) are read in the claims that state them;
speculation is never coded as an event. Each trigger is placed by the place named in its
own clause, by words that point back to one ("the city", "there", "in the area"), or near
one ("surrounding districts" -> the last city, geo_precision 2). Definite mentions without
a place ("the strikes") refer to the report's first event. As ACLED does, the same event
type by the same actor at the same place is one event with a count: "eight strikes on the
city and two on surrounding districts" is two located events.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from sitreps import actors, event_classifier, lexicons, nlp
from sitreps.event_classifier import Prediction
from sitreps.matching import TermMatch, TermMatcher
from sitreps.model import (
    Actor,
    Certainty,
    Claim,
    CodedBy,
    Damage,
    Event,
    Mode,
    Place,
    Quantity,
    Target,
    Weapon,
)
from sitreps.stages.quantities import VAGUE, parse_number
from sitreps.state import DocumentState, char_span, span_of

CERTAINTY_WEIGHT = {
    Certainty.ASSERTED: 1.0,
    Certainty.REPORTED: 1.0,
    Certainty.HEDGED: 0.8,
    Certainty.DENIED: 0.5,
}
LOCATIVE = {"in", "on", "at", "near", "into", "over", "across", "around", "outside", "targeting"}
DEFINITE = {"the", "these", "this", "those", "that"}
# How sure the sentence classifier must be to code a generic trigger ("attack"), and to
# drop a trigger whose sentence it reads as news that is no ACLED event (an industrial blast).
CLASSIFIER_DECIDES = 0.5
CLASSIFIER_VETOES = 0.7


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    data: dict[str, Any] = lexicons.load("events")
    return data


@lru_cache(maxsize=1)
def _matchers() -> dict[str, TermMatcher]:
    lexicon, language = _lexicon(), nlp.load()
    weapons = [w for words in lexicon["weapons"].values() for w in words]
    damage = [w for words in lexicon["damage"].values() for w in words]
    return {
        "trigger": TermMatcher(
            language,
            [*lexicon["triggers"], *lexicon["weapon_verbs"], *lexicon["weapon_subject_verbs"]],
        ),
        "weapon": TermMatcher(language, weapons),
        "damage": TermMatcher(language, damage),
        "target": TermMatcher(language, lexicon["targets"]),
        "fatalities": TermMatcher(language, lexicon["fatalities"]),
        "injured": TermMatcher(language, lexicon["injured"]),
    }


@dataclass
class _Draft:
    event_type: str
    sub_event_type: str
    coded_by: CodedBy
    place: Place | None
    geo_precision: int | None
    actor1: Actor | None
    actor2: Actor | None
    count: Quantity | None
    confidence: float
    claims: list[str] = field(default_factory=list)
    sentences: list[int] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    weapons: list[Weapon] = field(default_factory=list)
    fatalities: Quantity | None = None
    injured: Quantity | None = None

    def key(self) -> tuple[object, ...]:
        geonameid = self.place.geonameid if self.place else None
        actor = self.actor1.name if self.actor1 else None
        return (self.event_type, self.sub_event_type, geonameid, self.geo_precision, actor)

    def cite(self, claim_id: str, sentence: int) -> None:
        """Record one more claim and sentence that speak of this event."""
        self.claims += [] if claim_id in self.claims else [claim_id]
        self.sentences += [] if sentence in self.sentences else [sentence]

    def arm(self, weapons: list[Weapon]) -> None:
        """Add the weapons named in one more sentence about this event."""
        self.weapons += [w for w in weapons if w not in self.weapons]

    def absorb(self, other: _Draft) -> None:
        self.count = _better_count(self.count, other.count)
        self.claims += [c for c in other.claims if c not in self.claims]
        self.sentences += [s for s in other.sentences if s not in self.sentences]
        self.actor2 = self.actor2 or other.actor2
        self.arm(other.weapons)
        self.confidence = max(self.confidence, other.confidence)


def _better_count(a: Quantity | None, b: Quantity | None) -> Quantity | None:
    """Prefer an exact count to a vague one; of two exact counts keep the larger."""
    if a is None or b is None:
        return a or b
    a_exact, b_exact = a.high == a.low, b.high == b.low
    if a_exact != b_exact:
        return a if a_exact else b
    return a if (a.high or a.low) >= (b.high or b.low) else b


def _words(words: list[str]) -> set[str]:
    return {w.lower() for w in words}


def _names_weapon(verb: Token, deps: set[str]) -> bool:
    """Whether the verb's subject or object (as `deps` say) is a weapon: "40 drones"."""
    weapons = {w for words in _lexicon()["weapons"].values() for w in _words(words)}
    nouns = [c for c in verb.children if c.dep_ in deps]
    nouns += [p for n in nouns for prep in n.children for p in prep.children if p.dep_ == "pobj"]
    return any(n.lemma_.lower() in weapons or n.lower_ in weapons for n in nouns)


def _is_occurrence(token: Token) -> bool:
    """False for event words that describe a kind of event: "fears of attacks"."""
    lemma = token.lemma_.lower()
    if lemma in _words(_lexicon()["weapon_verbs"]):
        return _names_weapon(token, {"dobj"})
    if lemma in _words(_lexicon()["weapon_subject_verbs"]) and token.pos_ == "VERB":
        return _names_weapon(token, {"nsubj"})
    skip = _words(_lexicon()["not_an_occurrence"])
    if any(child.lower_ in skip for child in token.children):
        return False
    if token.dep_ == "pobj" and token.head.lower_ == "of":
        governor = token.head.head
        return governor.pos_ == "NUM" or governor.lower_ in VAGUE
    return not (token.dep_ == "compound" or any(c.dep_ == "neg" for c in token.children))


def _occurrences(candidates: list[tuple[TermMatch, Token]]) -> list[tuple[TermMatch, Token]]:
    """The triggers of one sentence that state an event of their own.

    A verb hung off an event noun ("eight strikes hitting the city") is carried by the noun.
    """
    kept = [(m, t) for m, t in candidates if _is_occurrence(t)]
    nouns = {t.i for _, t in kept if t.pos_ not in {"VERB", "AUX"}}
    verbs = {t.i for _, t in kept} - nouns

    def carried(verb: Token) -> bool:
        return (verb.head.i != verb.i and verb.head.i in nouns) or any(
            c.dep_ in {"nsubj", "nsubjpass"} and c.i in nouns for c in verb.children
        )

    return [
        (m, t)
        for m, t in kept
        if (t.i in nouns and not _circumstance_of(t, verbs)) or (t.i in verbs and not carried(t))
    ]


def _circumstance_of(noun: Token, verbs: set[int]) -> bool:
    """An event noun in a phrase on an event verb tells of that event: "recaptured the village
    after heavy fighting" is one event."""
    return noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.i in verbs


def _clause(token: Token) -> Token:
    while token.pos_ not in {"VERB", "AUX"} and token.head.i != token.i:
        token = token.head
    return token


def _agent_tokens(trigger: Token) -> list[Token]:
    verb = _clause(trigger)
    for child in trigger.children:
        if child.dep_ in {"poss", "amod"} and child.text in lexicons.demonyms():
            return [child, trigger]
        if child.dep_ == "prep" and child.lower_ == "by":
            return [t for pobj in child.children for t in pobj.subtree]
    for child in verb.children:
        if child.dep_ == "nsubj" or child.dep_ == "agent":
            return list(child.subtree)
    return []


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
        if candidate is None or (actor1 is not None and candidate.name == actor1.name):
            continue
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


class _Discourse:
    """What the report has been talking about: its last place, city and event."""

    def __init__(self) -> None:
        self.place: Place | None = None
        self.city: Place | None = None
        self.event: _Draft | None = None

    def saw(self, place: Place) -> None:
        self.place = place
        if place.feature and place.feature.startswith("P"):
            self.city = place


def _scope(trigger: Token, claim_tokens: set[int], other_triggers: list[Token]) -> list[set[int]]:
    """Where to look for an event's place: its own phrase first, then its clause.

    Other triggers' phrases are left out: in "eight strikes hitting the city and two attacks
    striking surrounding districts" each count has its own place.
    """

    def phrases(keep: bool) -> set[int]:
        return {
            t.i
            for other in other_triggers
            if other.i != trigger.i and keep == trigger.is_ancestor(other)
            for t in other.subtree
        }

    own = {t.i for t in trigger.subtree} - phrases(keep=True)
    clause = {t.i for t in _clause(trigger).subtree} - phrases(keep=False) | own
    return [own & claim_tokens, clause & claim_tokens]


def _locate(
    state: DocumentState, scopes: list[set[int]], discourse: _Discourse
) -> tuple[Place | None, int | None, float]:
    """The place, its precision for this event, and how sure the placing is."""
    doc = state.parsed
    anaphora = _lexicon()["place_anaphora"]
    surroundings = _words(_lexicon()["surroundings"])
    for scope in scopes:
        near = any(doc[i].lower_ in surroundings for i in scope)
        ids = [state.place_tokens[i] for i in sorted(scope) if i in state.place_tokens]
        ids = [p for p in ids if p not in ids[: ids.index(p)]]
        if ids:
            places = [state.analysis.place(p) for p in ids]
            # A town after "in"/"on" beats a country named as an actor ("Russia attacked Lviv").
            place = min(
                places,
                key=lambda p: (
                    p.geo_precision == 3,
                    doc[_token_at(state, p.span.start) - 1].lower_ not in LOCATIVE,
                ),
            )
            return place, 2 if near else place.geo_precision, place.confidence
        if near and discourse.city:
            return discourse.city, 2, discourse.city.confidence * 0.9
        for index in sorted(scope):
            word = doc[index].lower_
            definite = index > 0 and doc[index - 1].lower_ in DEFINITE
            if word in anaphora["city"] and definite and discourse.city:
                return discourse.city, discourse.city.geo_precision, discourse.city.confidence
            if (word == "there" or (word in anaphora["any"] and definite)) and discourse.place:
                return discourse.place, discourse.place.geo_precision, discourse.place.confidence
            if word in anaphora["region"] and definite and discourse.place:
                return discourse.place, 3, discourse.place.confidence
    return None, None, 0.0


def _token_at(state: DocumentState, char: int) -> int:
    token = state.parsed.char_span(char, char + 1, alignment_mode="expand")
    return token.start if token is not None else 0


def _code(
    trigger: TermMatch,
    sentence: TokenSpan,
    weapons: set[str],
    previous: _Draft | None,
    prediction: Prediction | None,
) -> tuple[str, str, float, CodedBy]:
    """ACLED event type, sub-event type, how sure the coding is, and what decided it.

    A specific trigger word or a named weapon decides; where the word is generic ("attack",
    "strike" with no weapon named), a confident sentence classifier does, then the report's
    previous event, then the default.
    """
    lexicon = _lexicon()
    spec = lexicon["triggers"].get(trigger.term)
    if spec is None:
        lemma = sentence.doc[trigger.start].lemma_.lower()
        spec = lexicon["triggers"].get(lemma, "remote")  # weapon verbs: "launched drones"
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
    if previous is not None and previous.event_type == "Explosions/Remote violence":
        return previous.event_type, previous.sub_event_type, 0.6, CodedBy.CONTEXT
    if spec == "generic":
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


def _sentence_types(
    doc: Doc, triggers: dict[int, list[TermMatch]], fast: bool
) -> dict[int, Prediction]:
    """The classifier's event type of each sentence holding a trigger word, in one batch;
    fast mode's classifier does without the sentence embedding."""
    sentences = list(doc.sents)
    with_trigger = sorted(index for index, found in triggers.items() if found)
    texts = [sentences[i].text for i in with_trigger]
    classifier = event_classifier.shipped(embedded=not fast)
    return dict(zip(with_trigger, classifier.predict(texts), strict=True))


def _target_phrase(head: Token) -> TokenSpan:
    keep = [t for t in head.subtree if t.i <= head.i or (t.head is head and t.dep_ == "prep")]
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
        if damage is None:
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


def _casualties(
    state: DocumentState, matches: list[TermMatch], claim_at: dict[int, Claim]
) -> Quantity | None:
    doc = state.parsed
    for match in matches:
        word = doc[match.start]
        claim = claim_at.get(word.i)
        if claim is None or claim.certainty is Certainty.SPECULATIVE:
            continue
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
    return None


def run(state: DocumentState) -> None:
    doc = state.parsed
    discourse = _Discourse()
    drafts: list[_Draft] = []
    starts = [sentence.start for sentence in doc.sents]
    # Matched once per report, grouped by sentence; each sentence takes its own below.
    triggers, weapons, targets, fatalities, injured = (
        _by_sentence(starts, _matchers()[kind].find(doc))
        for kind in ("trigger", "weapon", "target", "fatalities", "injured")
    )
    sentence_types = _sentence_types(doc, triggers, state.analysis.mode is Mode.FAST)
    claim_at = state.claims_by_token()
    claims_in: defaultdict[int, list[Claim]] = defaultdict(list)
    for stated in state.analysis.claims:
        claims_in[stated.sentence].append(stated)
    for index, sentence in enumerate(doc.sents):
        in_sentence = _occurrences([(m, doc[m.end - 1]) for m in triggers[index]])
        tokens = [trigger for _, trigger in in_sentence]
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
        for match, trigger in in_sentence:
            claim = claim_at.get(trigger.i)
            if claim is None or claim.certainty is Certainty.SPECULATIVE:
                continue
            claim_tokens = state.claim_tokens[claim.id]
            own, clause = _scope(trigger, claim_tokens, tokens)
            place, precision, place_confidence = _locate(state, [own, clause], discourse)
            definite = any(c.lower_ in DEFINITE for c in trigger.children)
            if place is None and definite and drafts:
                drafts[0].cite(claim.id, index)  # "the strikes": the report's first event
                drafts[0].arm(weapons_named)
                discourse.event = drafts[0]
                continue
            previous = discourse.event
            prediction = sentence_types.get(index)
            event_type, sub_event_type, base, coded_by = _code(
                match, sentence, named_weapons, previous, prediction
            )
            if coded_by is not CodedBy.TRIGGER and _not_an_event(prediction):
                continue
            if place is None and discourse.place is not None:
                place, precision, place_confidence = (
                    discourse.place,
                    discourse.place.geo_precision,
                    discourse.place.confidence * 0.7,
                )
            country = place.country if place else None
            agent = actors.actor(_agent_tokens(trigger), country)
            if agent is not None and agent.inter == actors.CIVILIANS:
                agent = None  # "Residents reported explosions": witnesses, not perpetrators
            actor1 = agent or (previous.actor1 if previous else None)
            draft = _Draft(
                event_type=event_type,
                sub_event_type=sub_event_type,
                coded_by=coded_by,
                place=place,
                geo_precision=precision,
                actor1=actor1,
                actor2=_opponent(claim_tokens, doc, actor1, country, victims),
                count=_count(trigger, state),
                confidence=round(
                    base * CERTAINTY_WEIGHT[claim.certainty] * (place_confidence if place else 0.5),
                    3,
                ),
                claims=[claim.id],
                sentences=[index],
                weapons=weapons_named,
            )
            same = next((d for d in drafts if d.key() == draft.key()), None)
            if same is not None:
                same.absorb(draft)
                draft = same
            else:
                drafts.append(draft)
            discourse.event = draft

        for target, verb in _targets(state, targets[index]):
            claim = claim_at.get(verb.i)
            if claim is None or claim.certainty is Certainty.SPECULATIVE:
                continue
            place, _, _ = _locate(state, [state.claim_tokens[claim.id]], discourse)
            owner = next(
                (d for d in drafts if place and d.place and d.place.geonameid == place.geonameid),
                None,
            )
            owner = owner or discourse.event
            if owner is not None:
                owner.targets.append(target)
                owner.cite(claim.id, index)
                if owner.actor2 is None:
                    owner.actor2 = _opponent(
                        state.claim_tokens[claim.id],
                        doc,
                        owner.actor1,
                        owner.place.country if owner.place else None,
                        victims,
                    )
        if discourse.event is not None:
            event = discourse.event
            event.fatalities = event.fatalities or _casualties(state, fatalities[index], claim_at)
            event.injured = event.injured or _casualties(state, injured[index], claim_at)

        for stated in claims_in[index]:
            for place_token in sorted(state.claim_tokens[stated.id]):
                if place_token in state.place_tokens:
                    discourse.saw(state.analysis.place(state.place_tokens[place_token]))

    sentences = state.analysis.sentences
    for number, draft in enumerate(drafts, start=1):
        if draft.place is None:
            state.warn("event_unlocated", f"event e{number} ({draft.sub_event_type}) has no place")
        state.analysis.events.append(
            Event(
                id=f"e{number}",
                event_type=draft.event_type,
                sub_event_type=draft.sub_event_type,
                coded_by=draft.coded_by,
                actor1=draft.actor1,
                actor2=draft.actor2,
                associated_actors=_associated(draft, state),
                location=draft.place.id if draft.place else None,
                geo_precision=draft.geo_precision,
                count=draft.count,
                targets=draft.targets,
                weapons=draft.weapons,
                fatalities=draft.fatalities,
                injured=draft.injured,
                claims=draft.claims,
                evidence=[
                    char_span(state.text, sentences[i].start, sentences[i].end)
                    for i in sorted(draft.sentences)
                ],
                confidence=min(1.0, draft.confidence),
            )
        )
