"""Stage: sources and claims, and who asserts each claim through whom.

In full mode an English report's cues are the learned taggers', and each cue's source and
content what the cue reader reads for it (`sitreps/attribution_model.py`, trained on
PolNeAR); a content may run over several sentences, and each sentence of it is a claim of
its own with the same chain. A cue that ascribes a belief, wish or stance ("hopes",
"support for") makes the claim an attitude, not a statement. Fast mode and Russian or
Ukrainian reports read attribution off the parse: "according to X", the subject or "by"
agent of a reporting verb ("X said", "was described ... by X"), the antecedent of a
relative clause ("analysts, who warn that ...").

Either way, "He"/"She"/"They" resolve to the last fitting source; a bare surname
("Lebedev") to the person named in full before. The report's outlet heads every chain,
since every claim is at least the outlet's. "X, suggesting that Y" makes Y an inference of
its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from sitreps import attribution_model, cyrillic, lexicons
from sitreps.model import (
    IN_AN_ORGANISATION,
    Certainty,
    Claim,
    ClaimKind,
    Cue,
    Mode,
    Source,
    SourceKind,
    Span,
)
from sitreps.state import DocumentState, body_start, language_of, span_of, stage

NAME_DEPS = {"compound", "flat", "amod", "nmod", "poss", "nummod", "case"}
PRONOUNS = {"he", "she", "they", "it", "we", "i"}
PERSONAL = {"he", "she"}
FIRST_PERSON = {"i", "we"}
INHERITING_DEPS = {"advcl", "conj"}  # "..., saying" and "... and says" share a subject
ANTECEDENT_WINDOW = 150  # tokens back to look for the person "he"/"she" stands for
AGENT_ENTS = {"PERSON", "ORG", "NORP", "GPE"}


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, frozenset[str]]:
    data = lexicons.load("attribution")
    return {key: frozenset(values) for key, values in data.items()}


@lru_cache(maxsize=1)
def _kind_rules() -> list[tuple[SourceKind, re.Pattern[str]]]:
    rules = lexicons.load("source_kinds")
    return [(SourceKind(rule["kind"]), re.compile("|".join(rule["patterns"]))) for rule in rules]


def classify_source(name: str, descriptor: str | None) -> SourceKind:
    """The source kind that the shipped rules assign to a name and its descriptor."""
    text = f"{name}, {descriptor or ''}".lower()
    for kind, pattern in _kind_rules():
        if pattern.search(text):
            return kind
    return SourceKind.UNKNOWN


@dataclass
class _Attribution:
    source_id: str
    source_words: list[Token]  # as named here: "the ministry", "he"
    cue: list[Token]
    content: set[int]  # token indices of what is attributed
    verb: Token | None  # the reporting verb, None for "according to"


@dataclass
class _Sources:
    state: DocumentState
    by_key: dict[str, str] = field(default_factory=dict)
    people: set[str] = field(default_factory=set)  # keys of the names of people
    last_id: str | None = None

    def describe(self, source: Source, unnamed: bool = False) -> None:
        """Kind and affiliation: from the source registry when it knows the source, else the
        kind rules."""
        entry = self.state.resources.registry.find(source.name, source.descriptor)
        if entry is None:
            source.kind = (
                SourceKind.UNNAMED if unnamed else classify_source(source.name, source.descriptor)
            )
            return
        source.kind = entry.kind
        source.affiliation = entry.affiliation
        source.registry_entry = entry.name
        source.reference = entry.reference

    def outlet(self) -> str:
        report = self.state.analysis.report
        source = Source(
            id="s1",
            name=report.outlet or "the reporting outlet",
            kind=SourceKind.REPORTING_OUTLET,
        )
        if report.outlet:
            # The outlet stays the reporting outlet; the registry says whose it is.
            self.describe(source)
            source.kind = SourceKind.REPORTING_OUTLET
        self.state.analysis.sources.append(source)
        return source.id

    def add(
        self,
        name_tokens: list[Token],
        descriptor: str | None,
        head: Token,
        unnamed: bool = False,
        name: str | None = None,
    ) -> str:
        """The id of the source `name_tokens` name (as `name` says, where given: a person's
        name in the nominative), a new one or one already met."""
        name = name or _text(name_tokens)
        key = name.lower()
        source_id = self.by_key.get(key)
        # The small model tags a surname alone as a person only now and then ("Sanders"
        # opening a sentence is a noun to it): a lone capitalised word may be one too.
        is_person = head.ent_type_ == "PERSON" or (len(key.split()) == 1 and head.is_title)
        if source_id is None and is_person:
            source_id = self._same_person(key)
        doc = head.doc
        mention = span_of(doc[name_tokens[0].i : name_tokens[-1].i + 1])
        if source_id is None:
            source_id = f"s{len(self.state.analysis.sources) + 1}"
            source = Source(
                id=source_id,
                name=name,
                descriptor=descriptor,
                kind=SourceKind.UNKNOWN,
                span=mention,
                mentions=[mention],
            )
            self.describe(source, unnamed)
            self.state.analysis.sources.append(source)
            self.by_key[key] = source_id
            if is_person:
                self.people.add(key)
        else:
            source = self.state.analysis.source(source_id)
            source.mentions.append(mention)
            fuller = len(name.split()) > len(source.name.split())
            if fuller and source.kind is not SourceKind.REPORTING_OUTLET:
                source.name = name  # "Sanders", then "Patrick Sanders"
                self.describe(source)
            if source.descriptor is None and descriptor:
                source.descriptor = descriptor
                self.describe(source)
        for token in name_tokens:
            self.state.source_tokens[token.i] = source_id
        self.last_id = source_id
        return source_id

    def _same_person(self, key: str) -> str | None:
        """The source a person's name variant stands for: "Sanders" or "Patrick" after
        "Patrick Sanders"; "Patrick Sanders" after "Sanders" alone, whose source then takes
        the full name."""
        words = key.split()
        for known in self.people:
            source_id, known_words = self.by_key[known], known.split()
            if len(words) == 1 and len(known_words) > 1 and words[0] in known_words:
                return source_id
            if len(known_words) == 1 and len(words) > 1 and known_words[0] == words[-1]:
                self.by_key[key] = source_id
                self.people.add(key)
                return source_id
        return None


def _text(tokens: list[Token]) -> str:
    """Tokens as written: "city's mayor", not "city 's mayor"."""
    return "".join(t.text_with_ws for t in tokens[:-1]) + tokens[-1].text if tokens else ""


def _descriptor(head: Token) -> str | None:
    parts = []
    doc = head.doc
    for child in head.children:
        if child.dep_ == "appos":
            # An apposition runs to the next comma: the parser sometimes hangs its last word
            # elsewhere ("the coordinator of the Mykolaiv underground").
            end = child.i
            while (
                end + 1 < len(doc) and not doc[end + 1].is_punct and not doc[end + 1].is_sent_start
            ):
                end += 1
            parts.append(doc[child.left_edge.i : end + 1].text)
    if head.ent_type_ == "PERSON":
        titles = [
            t for t in head.lefts if t.dep_ in {"compound", "amod"} and t.ent_type_ != "PERSON"
        ]
        if titles:
            first = min(t.left_edge.i for t in titles)
            last = max(t.i for t in titles)
            parts.insert(0, head.doc[first : last + 1].text)
    return "; ".join(p for p in parts if p) or None


def _name_tokens(head: Token) -> list[Token]:
    if head.ent_type_ in AGENT_ENTS and head.ent_iob_ != "O":
        entity = next(e for e in head.doc.ents if e.start <= head.i < e.end)
        if entity.label_ == "PERSON":
            return list(entity)
    kept = [head]
    stack = [c for c in head.children if c.dep_ in NAME_DEPS or _is_of_phrase(c, head)]
    while stack:
        token = stack.pop()
        kept.append(token)
        stack.extend(c for c in token.children if c.dep_ in NAME_DEPS | {"pobj", "prep"})
    if head.ent_type_ == "PERSON":
        kept = [t for t in kept if t.ent_type_ == "PERSON"]
    return sorted(kept, key=lambda t: t.i)


def _is_of_phrase(child: Token, head: Token) -> bool:
    """Keep "of Defence" in "Ministry of Defence", not "of the Mykolaiv underground"."""
    return child.dep_ == "prep" and child.lower_ == "of" and head.pos_ == "PROPN"


def _is_agent(head: Token) -> bool:
    if head.ent_type_ in AGENT_ENTS or head.lower_ in PRONOUNS:
        return True
    return classify_source(_text(_name_tokens(head)), None) is not SourceKind.UNKNOWN


def _source_head(token: Token) -> tuple[Token, bool]:
    """The noun that names the source, looking through containers ("assessments from X")."""
    containers = _lexicon()["containers"]
    current = token
    while current.lemma_.lower() in containers:
        inner = [
            pobj
            for prep in current.children
            if prep.dep_ == "prep" and prep.lower_ in {"from", "by", "of"}
            for pobj in prep.children
            if pobj.dep_ == "pobj"
        ]
        if not inner:
            return current, True
        current = inner[0]
    return current, False


def _antecedent(pronoun: Token) -> TokenSpan | None:
    """The last person named before "he"/"she", when no source has been named yet."""
    if pronoun.lower_ not in PERSONAL:
        return None
    people = [
        ent
        for ent in pronoun.doc.ents
        if _may_be_person(ent) and pronoun.i - ANTECEDENT_WINDOW < ent.end <= pronoun.i
    ]
    return people[-1] if people else None


def _may_be_person(ent: TokenSpan) -> bool:
    """A person, or a short proper name the small model mistakes for an organisation (it
    does so with many Ukrainian names: "Olena Kovalenko")."""
    if ent.label_ == "PERSON":
        return True
    return ent.label_ == "ORG" and 2 <= len(ent) <= 3 and all(t.pos_ == "PROPN" for t in ent)


def _resolve(head: Token, sources: _Sources) -> tuple[str, list[Token]] | None:
    """The source a head word denotes, and the words that name it here."""
    if head.lower_ in PRONOUNS:
        if sources.last_id not in (None, "s1"):
            return sources.last_id, [head]
        person = _antecedent(head)
        if person is not None:
            source_id = sources.add(list(person), None, person.root)
            return source_id, [head]
        if head.lower_ in FIRST_PERSON:  # the writer, or a speaker quoted without a name
            return sources.add([head], None, head, unnamed=True), [head]
        return None
    source_head, container_only = _source_head(head)
    name = _name_tokens(source_head)
    if container_only:
        # "according to preliminary reports": an unnamed source, named by what it is
        hung = {
            t.i
            for child in source_head.children
            if child.dep_ in {"prep", "relcl", "acl", "appos"}
            for t in child.subtree
        }
        name = [
            t for t in source_head.subtree if t.i not in hung and not t.is_punct and t.dep_ != "det"
        ]
    source_id = sources.add(
        name or [source_head], _descriptor(source_head), source_head, container_only
    )
    # The mention is the whole noun phrase, descriptor included: "Chris Cox, who runs the
    # NRA's lobbying arm"; the source's name stays the short one.
    return source_id, list(head.subtree)


def _subjects(verb: Token) -> list[Token]:
    """The verb's subject, or for "..., saying" and "... and says" its head verb's."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if subjects or verb.dep_ not in INHERITING_DEPS or verb.head.pos_ not in {"VERB", "AUX"}:
        return subjects
    return [c for c in verb.head.children if c.dep_ == "nsubj"]


def _around(verb: Token, sentence: TokenSpan) -> set[int]:
    """The content of a parenthetical reporting verb: "In three years, Barden says, far too
    many lives were lost" and "“We will win,” he said": the sentence without the verb's
    own words."""
    quoted = any(t.is_quote for t in sentence)
    if verb.dep_ != "parataxis" and not quoted:
        return set()
    own = {t.i for t in verb.subtree} if verb.dep_ == "parataxis" else _own_words(verb)
    return {t.i for t in sentence if t.i not in own and not t.is_punct}


def _own_words(verb: Token) -> set[int]:
    """A root reporting verb's words besides its quote: its subject, adverbs, objects."""
    return {verb.i} | {
        t.i
        for child in verb.children
        if child.dep_ in {"nsubj", "advmod", "npadvmod", "dative", "prep", "aux", "neg"}
        for t in child.subtree
    }


def _content_of(verb: Token) -> set[int]:
    complements = [c for c in verb.children if c.dep_ in {"ccomp", "xcomp"}]
    if complements:
        return {t.i for c in complements for t in c.subtree}
    objects = [c for c in verb.children if c.dep_ in {"dobj", "attr", "oprd"}]
    if objects:
        start = min(o.left_edge.i for o in objects)
        end = max(t.i for t in verb.subtree)
        return set(range(start, end + 1))
    return set()


def _according_to(sentence: TokenSpan, sources: _Sources) -> list[_Attribution]:
    found = []
    for token in sentence:
        if token.lower_ != "according" or token.i + 1 >= sentence.end:
            continue
        to = token.doc[token.i + 1]
        objects = [c for c in to.children if c.dep_ == "pobj"]
        if to.lower_ != "to" or not objects:
            continue
        resolved = _resolve(objects[0], sources)
        if resolved is None:
            continue
        phrase = {token.i, to.i, *(t.i for t in objects[0].subtree)}
        content = {t.i for t in sentence if t.i not in phrase and not t.is_punct}
        found.append(_Attribution(*resolved, [token, to], content, None))
    return found


SPEAKER_MAX_TOKENS = 8
NOT_SPEAKER_ENTS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}


def _names_a_place(token: Token, sources: _Sources) -> bool:
    """A word of a place's name, not of a body named after a place ("Kharkiv Regional
    Military Administration: three killed")."""
    place_id = sources.state.place_tokens.get(token.i)
    place = sources.state.analysis.place(place_id) if place_id else None
    return place is not None and place.qualifier != IN_AN_ORGANISATION


def _speaker_colon(sentence: TokenSpan, sources: _Sources) -> list[_Attribution]:
    """The headline convention "Graham: Trump's rhetoric is destroying the party" and
    "Air Force: 47 drones launched overnight": a name, a colon, what it says."""
    colon = next((t for t in sentence[:SPEAKER_MAX_TOKENS] if t.text == ":"), None)
    if colon is None or colon.i == sentence.start or colon.i + 1 >= sentence.end:
        return []
    speaker = sentence.doc[sentence.start : colon.i]
    is_named = any(t.pos_ in {"PROPN", "NOUN"} for t in speaker)
    if not is_named or any(
        t.pos_ in {"VERB", "AUX", "PRON"}
        or t.ent_type_ in NOT_SPEAKER_ENTS
        or _names_a_place(t, sources)  # "Kharkiv: the day after" is a dateline
        for t in speaker
    ):
        return []
    if speaker.root.pos_ == "NOUN" and not (
        _is_agent(speaker.root) or any(t.ent_type_ in AGENT_ENTS for t in speaker)
    ):
        return []  # a heading ("Infrastructure: ..."), not someone speaking
    resolved = _resolve(speaker.root, sources)
    content = {t.i for t in sentence if t.i > colon.i and not t.is_punct}
    if resolved is None or not content:
        return []
    return [_Attribution(resolved[0], list(speaker), [colon], content, None)]


def _reporting(sentence: TokenSpan, sources: _Sources) -> list[_Attribution]:
    lexicon = _lexicon()
    found = []
    for verb in sentence:
        lemma = verb.lemma_.lower()
        if verb.pos_ not in {"VERB", "AUX"} or lemma not in lexicon["reporting_verbs"]:
            continue
        subjects = _subjects(verb)
        agents = [
            pobj
            for agent in verb.children
            if agent.dep_ == "agent"
            for pobj in agent.children
            if pobj.dep_ == "pobj"
        ]
        if not agents and any(c.dep_ == "auxpass" for c in verb.children):
            # "was described as severe by the operator": the parser may hang "by" lower down
            agents = [
                pobj
                for by in verb.subtree
                if by.lower_ == "by" and by.dep_ in {"prep", "agent"}
                for pobj in by.children
                if pobj.dep_ == "pobj" and pobj.pos_ in {"NOUN", "PROPN"}
            ]
        heads = agents or subjects
        if verb.dep_ == "relcl" and subjects and subjects[0].tag_ in {"WP", "WDT"}:
            heads = [verb.head]
        if not heads or (heads[0].lower_ == "it" and not agents):
            continue
        if lemma in lexicon["person_only_verbs"] and not _is_agent(heads[0]):
            continue
        content = _content_of(verb) or _around(verb, sentence)
        if agents:  # passive: "is described as X by Y" -> everything but the agent phrase
            agent_tokens = {t.i for a in agents for t in a.head.subtree}
            content = {t.i for t in sentence if t.i not in agent_tokens and not t.is_punct}
            content.discard(verb.i)
        if not content:
            continue
        resolved = _resolve(heads[0], sources)
        if resolved is not None:
            found.append(_Attribution(*resolved, [verb], content, verb))
    return _siblings_apart(found)


SOURCE_MAX_TOKENS = 8
# Where a source's name ends in a Russian or Ukrainian sentence.
_NAME_ENDS = {",", ".", ":", ";", "—", "–", "«", "»", '"', "(", ")", "что", "що", "о", "про"}


def _slavic(sentence: TokenSpan, sources: _Sources, taken: set[int]) -> list[_Attribution]:
    """Russian and Ukrainian attributions the parse does not give: "по словам губернатора X"
    and "за даними Генштабу" (`according_phrases`), and a reporting verb with its source
    after it and no subject in the parse ("…, повідомив голова ОВА Олег Синєгубов",
    "сообщили в Минобороны"). What is attributed is the rest of the sentence, or what a
    "що"/"что" after the verb introduces."""
    found = []
    words = [t for t in sentence if not t.is_space]
    lowered = [t.lower_ for t in words]
    for phrase in _lexicon()["according_phrases"]:
        parts = phrase.split()
        for k in range(len(words) - len(parts)):
            if lowered[k : k + len(parts)] == parts and words[k].i not in taken:
                cue = words[k : k + len(parts)]
                found += _attributed(sentence, sources, cue, _name_after(words, k + len(parts)))
    for position, verb in enumerate(words):
        lemma = verb.lemma_.lower()
        if verb.i in taken or verb.pos_ != "VERB" or lemma not in _lexicon()["reporting_verbs"]:
            continue
        if any(c.dep_ == "nsubj" for c in verb.children):
            continue  # the parse gave its subject: `_reporting` read it
        name = _name_after(words, position + 1)
        found += _attributed(sentence, sources, [verb], name)
    return found


def _name_after(words: list[Token], start: int) -> list[Token]:
    """The source named from `start`: up to punctuation, "що"/"что" or a verb; a leading
    "в"/"у" is the body's ("сообщили в Минобороны")."""
    if start < len(words) and words[start].lower_ in {"в", "у", "во"}:
        start += 1
    name: list[Token] = []
    for token in words[start : start + SOURCE_MAX_TOKENS]:
        if token.lower_ in _NAME_ENDS or token.pos_ in {"VERB", "PUNCT"}:
            break
        name.append(token)
    return name if any(t.pos_ in {"NOUN", "PROPN"} for t in name) else []


def _attributed(
    sentence: TokenSpan, sources: _Sources, cue: list[Token], name: list[Token]
) -> list[_Attribution]:
    if not name:
        return []
    # A person's name, with the rest as descriptor ("голова ОВА Олег Синєгубов"); else a
    # role and what it is of ("голова | Дніпропетровської ОВА"), or a body's name.
    person = [t for t in name if t.ent_type_ == "PERSON"]
    role = not person and name[0].is_lower and len(name) > 1
    named = person or (name[:1] if role else name)
    rest = [t for t in name if t not in named]
    descriptor = _text(rest) if rest else None
    language = language_of(sentence.doc)
    nominative = cyrillic.person_name([t.text for t in named], language) if person else None
    source_id = sources.add(named, descriptor or None, named[-1], name=nominative)
    after = next((t for t in sentence if t.i > cue[-1].i and t.lower_ in {"что", "що"}), None)
    own = {t.i for t in (*cue, *name)} | set(range(cue[-1].i, name[0].i))  # "повідомили в"
    if after is not None:
        content = {t.i for t in sentence if t.i > after.i and not t.is_punct}
    else:
        content = {t.i for t in sentence if t.i not in own and not (t.is_punct or t.is_space)}
    return [_Attribution(source_id, name, cue, content, None)] if content else []


def _siblings_apart(found: list[_Attribution]) -> list[_Attribution]:
    """ "He described the strike as X, noting Y": one speaker, two statements side by side;
    the second is no claim inside the first, so it leaves the first's content."""
    by_verb = {a.verb.i: a for a in found if a.verb is not None}
    for attribution in found:
        verb = attribution.verb
        inherited = verb is not None and verb.dep_ in INHERITING_DEPS
        if verb is None or not inherited or any(c.dep_ == "nsubj" for c in verb.children):
            continue
        head = by_verb.get(verb.head.i)
        if head is not None and head.source_id == attribution.source_id:
            head.content -= {t.i for t in verb.subtree}
    return found


def _inferences(sentence: TokenSpan) -> list[tuple[Token, set[int]]]:
    """Participial inferences: "..., suggesting that Y" -> (cue, tokens of Y)."""
    verbs = _lexicon()["inference_verbs"]
    found = []
    for token in sentence:
        if (
            token.lemma_.lower() in verbs
            and token.tag_ == "VBG"
            and token.dep_ in {"advcl", "xcomp"}
        ):
            content = _content_of(token)
            if content:
                found.append((token, content))
    return found


def _span(state: DocumentState, tokens: set[int]) -> Span:
    """From the first word to the last token of a claim's content."""
    doc = state.parsed
    ordered = sorted(i for i in tokens if not doc[i].is_space)
    first = next(i for i in ordered if not doc[i].is_punct)
    last = ordered[-1]
    # Punctuation stranded by a sibling statement taken out ("..., noting Y.") is dropped.
    while doc[last].is_punct and not doc[last].is_quote and last - 1 not in tokens:
        last = max(i for i in ordered if i < last)
    return span_of(doc[first : last + 1])


# content tokens, attribution chain, cues, the words naming the innermost source, the
# claim's kind (an attitude, or OTHER until the claim-kinds stage reads it) and its
# certainty as its cue gives it
_Piece = tuple[set[int], list[str], list[Cue], list[Token], ClaimKind, Certainty]


def _grade(cue: list[Token], chain: list[str]) -> Certainty:
    """Denied where the cue denies what it reports ("the ministry denied that", "спростував"),
    else reported through the chain, or asserted where the outlet tells it itself; the
    certainty stage then grades the content's own cues."""
    if any(t.lemma_.lower() in _lexicon()["denial_verbs"] for t in cue):
        return Certainty.DENIED
    return Certainty.REPORTED if len(chain) > 1 else Certainty.ASSERTED


def kind_of(cue: list[Token]) -> ClaimKind:
    """An attitude where the cue ascribes a belief, wish or stance ("hopes", "support for")
    rather than words."""
    attitudes = _lexicon()["attitude_cues"]
    return (
        ClaimKind.ATTITUDE if any(t.lemma_.lower() in attitudes for t in cue) else ClaimKind.OTHER
    )


def _ruled(sentence: TokenSpan, sources: _Sources) -> list[_Attribution]:
    """The attributions the parse and the lexicons give in one sentence."""
    attributions = (
        _according_to(sentence, sources)
        + _reporting(sentence, sources)
        + _speaker_colon(sentence, sources)
    )
    if language_of(sentence.doc) in cyrillic.LANGUAGES:
        attributions += _slavic(sentence, sources, {a.cue[0].i for a in attributions})
    return attributions


def _learned(state: DocumentState, sources: _Sources) -> list[_Attribution] | None:
    """The attributions of an English report in full mode, from the learned model: each cue
    the taggers tag, with the source and content the cue reader reads for it (a content may
    run over several sentences, or round the speaker of a split quote). None where the model
    does not read the report (fast mode runs no neural network; Russian and Ukrainian are
    read by rules)."""
    doc = state.parsed
    if state.analysis.mode is not Mode.FULL or language_of(doc) != "en":
        return None
    # The headline is a text of its own: no span runs from it into the report
    start = body_start(doc)
    body = next((t.i for t in doc if t.idx >= start), len(doc))
    tagged = attribution_model.tag(doc, state.resources.attribution_tagger)
    found = {role: _cut(spans, body) for role, spans in tagged.spans.items()}
    chunks = list(doc.noun_chunks)  # once: a span's own noun_chunks walks the whole doc
    # Each cue's content and source as the reader reads them for it; where it reads no
    # content, the nearest the taggers tag, and where no source, the nearest tagged in the
    # cue's sentence.
    content_of = _read_contents(tagged, body)
    read_cues = set(content_of)
    for cue, pieces in _paired_contents(doc, found).items():
        content_of.setdefault(cue, pieces)
    attributions = []
    for cue in sorted(content_of):
        sentence = doc[cue[0]].sent
        named = tagged.read.get(cue, {}).get("source") or [
            s for s in found["source"] if sentence.start <= s[0] < sentence.end
        ]
        if not named:
            continue
        first, end = min(named, key=lambda source: _gap(cue, source))
        words = [t for t in doc[first:end] if not t.is_space]
        head = _head_noun(doc[first:end], chunks)
        cue_words = list(doc[cue[0] : cue[1]])
        verb = next((t for t in cue_words if t.pos_ in {"VERB", "AUX"}), None)
        if not words or not _may_be_source(head):
            continue
        person_only = verb is not None and verb.lemma_.lower() in _lexicon()["person_only_verbs"]
        if person_only and not _is_agent(head):
            continue  # "preliminary data indicates": a certainty cue, not a source
        if cue_words[0].lower_ == "according":
            # "according to X" attributes the whole clause around it, on both sides
            phrase = {t.i for t in cue_words} | set(range(first, end))
            said = {t.i for t in sentence if t.i not in phrase and not t.is_punct}
        else:
            pieces = list(content_of[cue])
            start, stop = pieces[0]
            if cue not in read_cues and stop <= min(cue[0], first) and sentence.start <= stop:
                # "X hit the port, injuring three, the mayor said": what is said runs up to
                # who says it
                pieces[0] = (start, min(cue[0], first))
            said = {i for s, e in pieces for i in range(s, e) if not doc[i].is_space}
        resolved = _resolve(head, sources)
        if resolved is not None and said:
            attributions.append(_Attribution(resolved[0], words, cue_words, said, verb))
    return attributions


def _read_contents(
    tagged: attribution_model.Tagged, body: int
) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Each tagged cue's content as the reader reads it, where it reads one; on the cue's
    side of the headline's end."""
    contents = {}
    for cue, read in tagged.read.items():
        side = (0, body) if cue[0] < body else (body, 1 << 30)
        pieces = [
            (max(s, side[0]), min(e, side[1]))
            for s, e in read["content"]
            if max(s, side[0]) < min(e, side[1])
        ]
        if pieces:
            contents[cue] = pieces
    return contents


def _paired_contents(
    doc: Doc, found: dict[str, list[tuple[int, int]]]
) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Each tagged cue's content among the tagged contents: the nearest (one to one, the
    closest pairs first), a quote split by its speaker whole, a nested cue's the rest of the
    content it is in."""
    taken: set[tuple[int, int]] = set()
    gaps = (
        (_gap(cue, content), cue, content) for cue in found["cue"] for content in found["content"]
    )
    pairs = sorted(pair for pair in gaps if pair[0] <= CONTENT_GAP)
    content_of: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for _, cue, content in pairs:
        if cue not in content_of and content not in taken:
            content_of[cue] = [content]
            taken.add(content)
    # A quote split by its speaker ("It came out," she said. "I never thought about it.") is
    # one content: the part after takes the cue of the part before.
    for cue, pieces in content_of.items():
        after = _continuation(doc, cue, found, taken) if pieces[0][1] <= cue[0] else None
        if after is not None:
            pieces.append(after)
            taken.add(after)
    # A cue inside another's content is nested ("TASS reported that the ministry said X"):
    # the tagger tags one layer of contents, so the inner one says the rest of the outer.
    for cue in found["cue"]:
        outer = next(
            (c[0] for c in content_of.values() if c[0][0] < cue[0] and cue[1] < c[0][1]), None
        )
        if cue not in content_of and outer is not None:
            content_of[cue] = [(cue[1], outer[1])]
    return content_of


def _cut(spans: list[tuple[int, int]], at: int) -> list[tuple[int, int]]:
    """The spans, those that run across the word `at` in two."""
    return [piece for s, e in spans for piece in (((s, at), (at, e)) if s < at < e else ((s, e),))]


def _continuation(
    doc: Doc,
    cue: tuple[int, int],
    found: dict[str, list[tuple[int, int]]],
    taken: set[tuple[int, int]],
) -> tuple[int, int] | None:
    """The content right after a cue that follows its own content, with nothing but the rest
    of the cue's sentence and punctuation between: the rest of a quote its speaker splits
    ("It came out," she told reporters. "I never thought about it.")."""
    after = next((c for c in found["content"] if c[0] >= cue[1] and c not in taken), None)
    if after is None:
        return None
    said_in = doc[cue[0]].sent
    between = doc[max(cue[1], said_in.end) : after[0]]
    if all(t.is_punct or t.is_space for t in between):
        return after
    return None


def _head_noun(words: TokenSpan, chunks: list[TokenSpan]) -> Token:
    """The noun a source's words name: a name at their head ("Andrei Spînu" in "Moldovan
    Minister of Infrastructure and Regional Development Andrei Spînu"), else the head of
    their first noun phrase (of the report's `chunks`: "Sergei Lebedev" in "Sergei Lebedev,
    the coordinator of ..."), and for "who" in "analysts, who warn", the analysts."""
    chunk = next((c for c in chunks if words.start <= c.start and c.end <= words.end), None)
    named = words.root.pos_ == "PROPN"
    head = chunk.root if chunk is not None and not named else words.root
    if head.tag_ in {"WP", "WDT"} and head.head.dep_ == "relcl":
        return head.head.head
    return head


CONTENT_GAP = 30  # tokens between a cue and the content it introduces, at most
SOURCE_POS = {"NOUN", "PROPN", "PRON"}


def _may_be_source(root: Token) -> bool:
    """A person, group, body, document or unnamed source names a source; an event does
    not ("suspected strikes")."""
    return root.pos_ in SOURCE_POS and root.lemma_.lower() not in _event_words()


@lru_cache(maxsize=1)
def _event_words() -> frozenset[str]:
    return frozenset(lexicons.load("events")["triggers"])


def _gap(first: tuple[int, int], second: tuple[int, int]) -> int:
    """Tokens between two spans, 0 where they touch or overlap."""
    return max(0, second[0] - first[1], first[0] - second[1])


def _in_sentence(attributions: list[_Attribution], sentence: TokenSpan) -> list[_Attribution]:
    """The learned attributions whose content reaches into the sentence, with that part of it."""
    inside = set(range(sentence.start, sentence.end))
    return [replace(a, content=a.content & inside) for a in attributions if a.content & inside]


def _with_ruled(
    learned: list[_Attribution], sentence: TokenSpan, sources: _Sources
) -> list[_Attribution]:
    """The tagger's attributions, and those the rules find where the tagger found none.
    Inside the tagger's contents the rules add a voice of a known kind ("TASS reported that
    the Russian Defence Ministry said ..."): the tagger rarely tags the inner of two nested
    attributions, and the chain is what tells whose words reached the outlet through whom."""
    covered = {i for a in learned for i in a.content | {t.i for t in a.cue}}
    cues = {t.i for a in learned for t in a.cue}

    def nested(ruled: _Attribution) -> bool:
        source = sources.state.analysis.source(ruled.source_id)
        return (
            ruled.cue[0].i not in cues
            and any(ruled.cue[0].i in a.content for a in learned)
            and source.kind not in {SourceKind.UNKNOWN, SourceKind.UNNAMED}
        )

    return learned + [
        a
        for a in _ruled(sentence, sources)
        if nested(a) or (a.cue[0].i not in covered and not a.content & covered)
    ]


def _pieces(
    state: DocumentState, sentence: TokenSpan, attributions: list[_Attribution], outlet: str
) -> list[_Piece]:
    """The claims of one sentence: attributed contents, inferences, and the outlet's rest."""
    # A cue inside another attribution's content nests: "RIA reports the ministry said".
    attributions.sort(key=lambda a: len(a.content), reverse=True)
    chains: list[list[str]] = []
    for position, attribution in enumerate(attributions):
        outer = [
            chains[j]
            for j, other in enumerate(attributions[:position])
            if attribution.cue[0].i in other.content
        ]
        chains.append((outer[-1] if outer else [outlet]) + [attribution.source_id])
    pieces: list[_Piece] = []
    claimed: set[int] = set()
    doc = state.parsed
    for attribution, chain in zip(attributions, chains, strict=True):
        # What another attribution nested in this one says is that one's claim; this one
        # keeps the rest: in "TASS reported that the ministry said X", TASS's claim is that
        # the ministry said so, and X is the ministry's, via TASS.
        nested = {
            i
            for other in attributions
            if other is not attribution
            and other.cue[0].i in attribution.content
            and other.content < attribution.content
            for i in other.content
        }
        own = attribution.content - nested
        if any(not (doc[i].is_punct or doc[i].is_space) for i in own):
            cues = _cues(attribution.cue, "attribution")
            kind = kind_of(attribution.cue)
            grade = _grade(attribution.cue, chain)
            pieces.append((own, chain, cues, attribution.source_words, kind, grade))
            claimed |= own
    for cue, content in _inferences(sentence):
        if not content & claimed:
            inferred = _cues([cue], "inference")
            pieces.append((content, [outlet], inferred, [], ClaimKind.OTHER, Certainty.ASSERTED))
            claimed |= content
    covers_root = sentence.root.i in claimed or any(
        a.verb is None or a.verb.i == sentence.root.i for a in attributions
    )
    if not covers_root:
        rest = {
            t.i
            for t in sentence
            if t.i not in claimed and t.i not in state.source_tokens and not t.is_space
        }
        # The outlet's own claim stops where an embedded claim begins: in "analysts, who
        # warn that the city could fall", the warning is the analysts' claim alone.
        later = [min(p[0]) for p in pieces if rest and min(p[0]) > min(rest)]
        rest = {i for i in rest if not later or i < min(later)}
        pieces.append((rest, [outlet], [], [], ClaimKind.OTHER, Certainty.ASSERTED))
    return sorted(
        (p for p in pieces if any(not (doc[i].is_punct or doc[i].is_space) for i in p[0])),
        key=lambda p: min(p[0]),
    )


@stage(
    requires=(
        "doc",
        "analysis.report",
        "analysis.mode",
        "analysis.places",
        "place_tokens",
    ),
    assigns=(
        "analysis.sources",
        "analysis.claims",
        "source_tokens",
        "claim_tokens",
        "claim_at_token",
    ),
)
def run(state: DocumentState) -> None:
    sources = _Sources(state)
    outlet = sources.outlet()
    learned = _learned(state, sources)
    for index, sentence in enumerate(state.parsed.sents):
        attributions = (
            _ruled(sentence, sources)
            if learned is None
            else _with_ruled(_in_sentence(learned, sentence), sentence, sources)
        )
        for tokens, chain, cues, source_words, kind, grade in _pieces(
            state, sentence, attributions, outlet
        ):
            claim_id = f"c{len(state.analysis.claims) + 1}"
            state.analysis.claims.append(
                Claim(
                    id=claim_id,
                    sentence=index,
                    span=_span(state, tokens),
                    attribution=chain,
                    source_mention=_words_span(source_words),
                    certainty=grade,
                    cues=cues,
                    kind=kind,
                )
            )
            state.claim_tokens[claim_id] = tokens
            # Later stages look claims up by token: one lookup each, where a long report
            # has thousands of claims.
            for token in tokens:
                state.claim_at_token.setdefault(token, state.analysis.claims[-1])


def _words_span(words: list[Token]) -> Span | None:
    if not words:
        return None
    doc = words[0].doc
    return span_of(doc[min(t.i for t in words) : max(t.i for t in words) + 1])


def _cues(tokens: list[Token], kind: str) -> list[Cue]:
    """Adjacent cue tokens ("according" "to") become one cue span."""
    runs: list[list[Token]] = []
    for token in sorted(tokens, key=lambda t: t.i):
        if runs and runs[-1][-1].i + 1 == token.i:
            runs[-1].append(token)
        else:
            runs.append([token])
    return [
        Cue(**span_of(run[0].doc[run[0].i : run[-1].i + 1]).model_dump(), kind=kind) for run in runs
    ]
