"""Who acts, on what, and where: the roles of an event word, read off the parse.

The attacker is the subject of an active event verb ("Ukrainian forces opened fire"), the
"by" agent of a passive one, the possessor or nationality of an event noun ("Russia's
attack", "Russian strikes", "Kyiv's drones"), the subject of the verb that carries out an
event noun ("Iran launched an attack", "Russia hit Ukraine with its latest attack"), or
the weapon that strikes ("Russian missiles hit Kyiv"). What is hit is the object
("shelled Kharkiv"), the passive subject ("Kharkiv was shelled"), or a phrase with "on",
"against", "at" or "of" ("strikes on Kyiv", "the shelling of Kherson"). The event's place
is named in what is hit or in a locative phrase on the event word or its clause; never in
the attacker's words, so "Moscow launched 57 missiles" places nothing in Moscow.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from spacy.tokens import Token

from sitreps import actors, cyrillic, lexicons
from sitreps.state import language_of

VERBAL = {"VERB", "AUX"}
CLAUSE_BREAKS = {",", ";"}
GAP_DASHES = {"–", "—"}  # "четыре БПЛА – над Брянской областью": a verb left out
# With Russian and Ukrainian ones: "удар по Харькову" (a strike on Kharkiv), "атака на".
TARGET_PREPOSITIONS = {"on", "against", "at", "upon", "targeting", "onto", "toward", "towards",
                       "по", "на", "против", "проти"}  # fmt: skip
LOCATIVE_PREPOSITIONS = {"in", "at", "near", "outside", "around", "across", "over", "into",
                         "inside", "within", "throughout", "along", "off", "on", "beyond",
                         "behind", "between", "by", "close", "towards", "toward", "onto",
                         "outskirts", "through", "north", "south", "east", "west",
                         "в", "во", "у", "на", "по", "под", "під", "возле", "біля", "около",
                         "поблизу", "над", "вблизи", "неподалеку", "неподалік"}  # fmt: skip


@dataclass(frozen=True)
class Roles:
    agent: list[Token]  # the words naming who acts, in order; [] when the text does not say
    patients: list[Token]  # heads of what is acted on
    scope: frozenset[int]  # tokens in which the event's place may be named


@cache
def _perpetration_verbs() -> frozenset[str]:
    """Verbs that carry out an event noun: "launched an attack", "carried out strikes"."""
    return frozenset(w.lower() for w in lexicons.load("events")["perpetration_verbs"])


@cache
def _weapon_words() -> frozenset[str]:
    """The weapons of the events lexicon, one word each: "drone", "missile"."""
    weapons = lexicons.load("events")["weapons"].values()
    return frozenset(w.lower() for words in weapons for w in words if " " not in w)


# Heads that count or gather who acts: "hundreds of protesters", "a group of soldiers".
COLLECTIVES = {"hundred", "hundreds", "thousand", "thousands", "dozen", "dozens", "scores",
               "million", "millions", "group", "crowd", "crowds", "number", "unit", "units",
               "team", "squad", "band"}  # fmt: skip


def _phrase(head: Token) -> list[Token]:
    """A noun phrase up to its head, with its left modifiers: "the Russian armed forces";
    and a country in the genitive after it ("ВС России"); for a count or a group, the
    phrase it counts ("hundreds of protesters")."""
    if head.pos_ == "NUM" or head.lower_ in COLLECTIVES:
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                counted = [c for c in prep.children if c.dep_ == "pobj"]
                if counted:
                    return _phrase(counted[0])
    country = next((c for c in head.rights if c.dep_ == "nmod" and c.ent_type_ == "GPE"), None)
    after = {t.i for t in country.subtree} if country is not None else set()
    return [t for t in head.subtree if t.i <= head.i or t.i in after]


# Verbs whose subject undergoes the event they govern: "came under fire", "подвергся обстрелу".
UNDERGOING = {"come", "fall", "undergo", "suffer", "подвергнуться", "подвергаться", "зазнати",
              "зазнавати"}  # fmt: skip
# "со стороны X", "з боку X" ("from X's side"): who did what a noun names.
SIDE_PREPOSITIONS = {"со", "с", "з", "із", "зі"}
SIDE_NOUNS = {"сторона", "бік"}


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children)


def _by_agent(word: Token) -> list[Token]:
    for child in word.children:
        if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "by"):
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return _phrase(objects[0])
        if child.dep_ == "prep" and child.lower_ in SIDE_PREPOSITIONS:
            who = _from_the_side_of(child)
            if who:
                return who
    return []


def _from_the_side_of(preposition: Token) -> list[Token]:
    """Who "со стороны X" ("from X's side") names, as natasha parses it: a preposition with
    "стороны" fixed to it and X its object, or "стороны" its object and X the genitive."""
    children = list(preposition.children)
    if any(c.dep_ == "fixed" and c.lemma_.lower() in SIDE_NOUNS for c in children):
        who = [c for c in children if c.dep_ == "pobj"]
        return _phrase(who[0]) if who else []
    for side in children:
        who = [c for c in side.children if c.dep_ == "nmod"]
        if side.dep_ == "pobj" and side.lemma_.lower() in SIDE_NOUNS and who:
            return _phrase(who[0])
    return []


def _side_after(trigger: Token) -> list[Token]:
    """With no parse (Ukrainian): the words after "з боку" right after the event word
    ("обстріл з боку РФ")."""
    doc = trigger.doc
    following = doc[trigger.i + 1 : min(trigger.sent.end, trigger.i + 4)]
    said_by = (
        len(following) == 3
        and following[0].lower_ in SIDE_PREPOSITIONS
        and following[1].lemma_.lower() in SIDE_NOUNS
        and following[2].pos_ in {"NOUN", "PROPN"}
    )
    return [following[2]] if said_by else []


def _verb_agent(verb: Token) -> list[Token]:
    by = _by_agent(verb)
    if by or _is_passive(verb):
        return by
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if subjects:
        subject = subjects[0]
        if subject.lower_ in {"it", "they"} and verb.dep_ == "ccomp":
            # "The Russian military claimed that it has captured Bakhmut": who says it
            sayers = [c for c in verb.head.children if c.dep_ == "nsubj" and c.pos_ != "PRON"]
            if sayers:
                return _phrase(sayers[0])
        return [] if subject.tag_ in {"WDT", "WP"} and verb.dep_ != "relcl" else _phrase(subject)
    if verb.dep_ == "relcl":  # "the drones that hit Kyiv": the noun the clause describes
        return _phrase(verb.head)
    if verb.dep_ == "xcomp" and verb.head.pos_ in VERBAL:
        told = [c for c in verb.head.children if c.dep_ == "dobj" and c.i < verb.i]
        if told:
            return _phrase(told[0])  # "authorised Kyiv to strike": who was let or told to
    if verb.dep_ in {"conj", "xcomp", "advcl"} and verb.head.pos_ in VERBAL:
        return _verb_agent(verb.head)  # "attacked and captured", "continued to shell"
    if verb.dep_ == "acl" and verb.tag_ == "VBG":  # "drones hitting Kyiv"
        return _phrase(verb.head)
    return _accused(verb)


# Prepositions after which an act is one its governing verb's object did: "accused Russia of
# shelling", "blamed Kyiv for the attack" (not "hit Ukraine with an attack").
ACCUSING_PREPOSITIONS = {"of", "for"}


def _accused(word: Token) -> list[Token]:
    """Who an act is laid on: the object of the verb that governs it through "of" or "for"
    ("accused Russia of shelling", "Kyiv was blamed for the attack")."""
    preposition = word.head
    if word.dep_ not in {"pcomp", "pobj"} or preposition.lower_ not in ACCUSING_PREPOSITIONS:
        return []
    verb = preposition.head
    if verb.i == preposition.i or verb.pos_ not in VERBAL:
        return []
    objects = [c for c in verb.children if c.dep_ in {"dobj", "nsubjpass"}]
    return _phrase(objects[0]) if objects else []


# Words that count events and stand for them in the clause: "launched a series of strikes".
EVENT_COLLECTIVES = {"series", "wave", "waves", "round", "rounds", "barrage", "salvo", "volley",
                     "spate", "string", "number", "couple", "pair", "set", "dozens", "hundreds",
                     "flurry", "campaign"}  # fmt: skip


def stand_in(noun: Token) -> Token:
    """The word that holds an event noun's place in its clause: "series" in "launched a
    series of strikes", "two" in "two of the strikes"; else the noun itself."""
    of = noun.head
    if noun.dep_ == "pobj" and of.lower_ == "of" and of.head.i != of.i:
        counter = of.head
        if counter.pos_ == "NUM" or counter.lower_ in EVENT_COLLECTIVES:
            return counter
    return noun


def _noun_agent(noun: Token, countries: frozenset[int]) -> list[Token]:
    counter = stand_in(noun)
    if counter.i != noun.i:
        found = _noun_agent_of(noun, countries)
        return found or _noun_agent(counter, countries)
    return _noun_agent_of(noun, countries)


def _noun_agent_of(noun: Token, countries: frozenset[int]) -> list[Token]:
    by = _by_agent(noun)
    if by:
        return by
    for child in noun.children:
        if child.dep_ == "poss" and child.ent_type_ not in {"DATE", "TIME"}:
            return _phrase(child)  # "Russia's attack", "Kyiv's drones"
    for child in noun.children:
        if child.dep_ in {"amod", "compound", "nmod"} and (
            child.ent_type_ == "NORP" or child.i in countries
        ):
            return [child]  # "Russian strikes", "an Israeli airstrike", "Ukraine drone attack"
    aimed = any(c.dep_ == "prep" and c.lower_ in TARGET_PREPOSITIONS for c in noun.children)
    for child in noun.children:
        if aimed and child.dep_ == "nmod" and _armed(_phrase(child)):
            return _phrase(child)  # "атака ВСУ на Белгородскую область": by the AFU
    for weapon in noun.children:
        if weapon.dep_ == "compound" and weapon.lemma_.lower() in _weapon_words():
            # the weapon's nationality: "a suspected Ukrainian drone strike"
            sides = [c for c in weapon.children if c.dep_ == "amod" and c.ent_type_ == "NORP"]
            if sides:
                return sides[:1]
    for weapon in noun.children:
        if weapon.dep_ == "nmod" and weapon.lemma_.lower() in _weapon_words():
            owners = [c for c in weapon.children if c.dep_ == "nmod" and _armed(_phrase(c))]
            if owners:
                return _phrase(owners[0])  # "атака дронов ВСУ": the drones' forces
    for clause in noun.children:
        if clause.dep_ == "acl" and clause.tag_ == "VBN":
            by = _by_agent(clause)  # "attacks carried out by gunmen", "strikes launched by"
            if by:
                return by
    governor = noun.head
    if noun.dep_ == "dobj" and governor.lemma_.lower() in _perpetration_verbs():
        return _verb_agent(governor)  # "Iran launched an attack"
    if noun.dep_ == "pobj" and governor.lower_ == "with" and governor.head.pos_ in VERBAL:
        return _verb_agent(governor.head)  # "Russia hit Ukraine with its latest attack"
    if noun.dep_ == "conj" and noun.head.pos_ not in VERBAL and noun.head.i != noun.i:
        return _noun_agent(noun.head, countries)  # "Russian drone and missile attacks"
    return _accused(noun)


def _armed(tokens: list[Token]) -> bool:
    """Whether words name armed forces or an armed group ("ВСУ", "российской армии")."""
    found = actors.actor(tokens)
    return found is not None and found.inter in actors.ARMED_INTERS


def _objects(word: Token, prepositions: set[str]) -> list[Token]:
    found = [c for c in word.children if c.dep_ in {"dobj", "nsubjpass"}]
    for child in word.children:
        if child.dep_ == "prep" and child.lower_ in prepositions:
            found += [c for c in child.children if c.dep_ == "pobj"]
    return found


def locatives(word: Token) -> list[Token]:
    """Locative phrases on a word: "in Kharkiv", "near the village of Dragunskoe"."""
    return [
        child
        for child in word.children
        if (child.dep_ == "prep" and child.lower_ in LOCATIVE_PREPOSITIONS)
        or (child.dep_ in {"advmod", "npadvmod"} and child.lower_ in LOCATIVE_PREPOSITIONS)
    ]


def _with_complements(verb: Token) -> list[Token]:
    """A verb and the verbs it hands its clause to: "is understood to have occurred"."""
    chain = [verb]
    while True:
        complement = next(
            (c for c in chain[-1].children if c.dep_ == "xcomp" and c.pos_ in VERBAL), None
        )
        if complement is None:
            return chain
        chain.append(complement)


def _subject_before(trigger: Token) -> list[Token]:
    """With no parse of the language (Ukrainian): the last noun before the event word in its
    sentence that can be a subject (nominative, after no preposition), with the adjectives
    before it ("російські війська завдали удару"). The place is then looked for in the
    sentence (the stage's fallback), never in these words."""
    language = language_of(trigger.doc)
    for token in reversed(trigger.doc[trigger.sent.start : trigger.i]):
        before = token.doc[token.i - 1] if token.i > 0 else None
        if token.pos_ not in {"NOUN", "PROPN"} or (before is not None and before.pos_ == "ADP"):
            continue
        if not cyrillic.can_be_subject(token.text, language):
            continue
        start = token.i
        while start > trigger.sent.start and token.doc[start - 1].pos_ in {"ADJ", "PROPN"}:
            start -= 1
        return list(token.doc[start : token.i + 1])
    return []


def of(trigger: Token, countries: frozenset[int]) -> Roles:
    """The roles of an event word; `countries`: the tokens that name a country, which as a
    modifier of an event noun name its attacker ("Ukraine drone attack"), where a town
    names its place ("the Kharkiv strike")."""
    if cyrillic.unparsed(trigger.sent):
        subject = _subject_before(trigger)
        between = trigger.doc[subject[-1].i + 1 : trigger.i] if subject else None
        if between is not None and any(t.lemma_.lower() in UNDERGOING for t in between):
            # "Харків зазнав обстрілу": the subject underwent it, where it happened
            return Roles(
                agent=_side_after(trigger),
                patients=subject[-1:],
                scope=frozenset(t.i for t in subject),
            )
        agent = _side_after(trigger) or subject
        return Roles(agent=agent, patients=[], scope=frozenset())
    if trigger.pos_ in VERBAL:
        agent = _verb_agent(trigger)
        carriers = [trigger]
        patients = _objects(trigger, TARGET_PREPOSITIONS)
        for clause in trigger.children:
            if (
                clause.dep_ in {"advcl", "xcomp"}
                and clause.tag_ == "VBG"
                and not any(c.dep_ in {"nsubj", "mark"} for c in clause.children)
            ):
                # what the act went on to do: "launched 57 missiles, hitting Lviv"
                carriers.append(clause)
                patients += _objects(clause, TARGET_PREPOSITIONS)
    else:
        agent = _noun_agent(trigger, countries)
        carriers = [trigger]
        patients = _objects(trigger, TARGET_PREPOSITIONS | {"of"})
        for clause in trigger.children:
            if clause.dep_ in {"acl", "relcl"} and clause.pos_ in VERBAL:
                # "eight strikes hitting the city", "the clash that occurred near Kherson",
                # "the clash that is understood to have occurred near Kherson"
                for verb in _with_complements(clause):
                    carriers.append(verb)
                    patients += _objects(verb, TARGET_PREPOSITIONS)
        counter = stand_in(trigger)
        governor = counter.head
        if governor.i != counter.i and governor.pos_ in VERBAL:
            # the clause that tells of the event noun: "the strike hit Kyiv", "launched an
            # attack on Odesa", "were killed in a strike in Kherson"
            carriers.append(governor)
            if counter.dep_ in {"nsubj", "dobj", "nsubjpass"} or governor.lemma_.lower() in (
                _perpetration_verbs()
            ):
                patients += [
                    p
                    for p in _objects(governor, TARGET_PREPOSITIONS)
                    if p.i not in {trigger.i, counter.i}
                ]
            if governor.lemma_.lower() in UNDERGOING:  # "регион подвергся обстрелам"
                patients += [
                    c
                    for c in governor.children
                    if c.dep_ == "nsubj" and c.i not in {trigger.i, counter.i}
                ]
        elif governor.i != counter.i and governor.pos_ == "ADP" and governor.head.pos_ in VERBAL:
            carriers.append(governor.head)  # "killed in a strike", "hit with an attack"
            patients += _objects(governor.head, TARGET_PREPOSITIONS)
            if governor.lower_ == "under" and governor.head.lemma_.lower() in UNDERGOING:
                # "the region came under fire": what came under it was hit
                patients += [c for c in governor.head.children if c.dep_ == "nsubj"]
    agent_tokens = {t.i for t in agent}
    scope: set[int] = set()
    for patient in patients:
        scope |= {t.i for t in patient.subtree}
    for carrier in carriers:
        for phrase in locatives(carrier):
            scope |= {t.i for t in phrase.subtree}
    for child in trigger.children:
        if child.dep_ in {"compound", "amod", "nmod"} and child.i not in countries:
            scope |= {t.i for t in child.subtree}  # "the Kharkiv strike"
    return Roles(agent=agent, patients=patients, scope=frozenset(scope - agent_tokens))


def gapped(trigger: Token) -> list[Token]:
    """The clauses after the event word's that leave its verb out behind a dash, each the
    same act elsewhere ("уничтожены пять дронов над Белгородской областью, четыре БПЛА –
    над Брянской областью"): no parser links them to the verb they share."""
    sentence = trigger.sent
    segments: list[list[Token]] = [[]]
    for token in sentence[trigger.i - sentence.start + 1 :]:
        if token.text in CLAUSE_BREAKS:
            segments.append([])
        else:
            segments[-1].append(token)
    left_out: list[Token] = []
    for segment in segments[1:]:
        if not any(t.text in GAP_DASHES for t in segment) or any(t.pos_ in VERBAL for t in segment):
            break
        left_out += segment
    return left_out
