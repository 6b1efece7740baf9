"""Stage: sources and claims, and who asserts each claim through whom.

Attribution is read off the dependency parse: "according to X", the subject or "by" agent
of a reporting verb ("X said", "was described ... by X"), the antecedent of a relative
clause ("analysts, who warn that ..."). "He"/"She"/"They" resolve to the last fitting
source; a bare surname ("Lebedev") to the person named in full before. The report's outlet
heads every chain, since every claim is at least the outlet's. "X, suggesting that Y" makes
Y an inference of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Span as TokenSpan
from spacy.tokens import Token

from sitreps import lexicons
from sitreps.model import Certainty, Claim, ClaimKind, Cue, Source, SourceKind, Span
from sitreps.state import DocumentState, char_span, span_of

NAME_DEPS = {"compound", "flat", "amod", "nmod", "poss", "nummod", "case"}
PRONOUNS = {"he", "she", "they", "it", "we"}
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
    cue: list[Token]
    content: set[int]  # token indices of what is attributed
    verb: Token | None  # the reporting verb, None for "according to"


@dataclass
class _Sources:
    state: DocumentState
    by_key: dict[str, str] = field(default_factory=dict)
    last_id: str | None = None

    def outlet(self) -> str:
        report = self.state.analysis.report
        source = Source(
            id="s1",
            name=report.outlet or "the reporting outlet",
            kind=SourceKind.REPORTING_OUTLET,
        )
        self.state.analysis.sources.append(source)
        return source.id

    def add(
        self, name_tokens: list[Token], descriptor: str | None, head: Token, unnamed: bool = False
    ) -> str:
        name = _text(name_tokens)
        key = name.lower()
        is_person = head.ent_type_ == "PERSON"
        surname_of = next(
            (
                source_id
                for known, source_id in self.by_key.items()
                if is_person and len(name_tokens) == 1 and known.split()[-1] == key
            ),
            None,
        )
        source_id = self.by_key.get(key) or surname_of
        last = name_tokens[-1]
        mention = char_span(self.state.text, name_tokens[0].idx, last.idx + len(last))
        if source_id is None:
            source_id = f"s{len(self.state.analysis.sources) + 1}"
            self.state.analysis.sources.append(
                Source(
                    id=source_id,
                    name=name,
                    descriptor=descriptor,
                    kind=SourceKind.UNNAMED if unnamed else classify_source(name, descriptor),
                    span=mention,
                    mentions=[mention],
                )
            )
            self.by_key[key] = source_id
        else:
            source = self.state.analysis.source(source_id)
            source.mentions.append(mention)
            if source.descriptor is None and descriptor:
                source.descriptor = descriptor
                source.kind = classify_source(source.name, descriptor)
        for token in name_tokens:
            self.state.source_tokens[token.i] = source_id
        self.last_id = source_id
        return source_id


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


def _resolve(head: Token, sources: _Sources) -> str | None:
    if head.lower_ in PRONOUNS:
        return sources.last_id if sources.last_id not in (None, "s1") else None
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
    return sources.add(
        name or [source_head], _descriptor(source_head), source_head, unnamed=container_only
    )


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
        source_id = _resolve(objects[0], sources)
        if source_id is None:
            continue
        phrase = {token.i, to.i, *(t.i for t in objects[0].subtree)}
        content = {t.i for t in sentence if t.i not in phrase and not t.is_punct}
        found.append(_Attribution(source_id, [token, to], content, None))
    return found


def _reporting(sentence: TokenSpan, sources: _Sources) -> list[_Attribution]:
    lexicon = _lexicon()
    found = []
    for verb in sentence:
        lemma = verb.lemma_.lower()
        if verb.pos_ not in {"VERB", "AUX"} or lemma not in lexicon["reporting_verbs"]:
            continue
        subjects = [c for c in verb.children if c.dep_ in {"nsubj"}]
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
        content = _content_of(verb)
        if agents:  # passive: "is described as X by Y" -> everything but the agent phrase
            agent_tokens = {t.i for a in agents for t in a.head.subtree}
            content = {t.i for t in sentence if t.i not in agent_tokens and not t.is_punct}
            content.discard(verb.i)
        if not content:
            continue
        source_id = _resolve(heads[0], sources)
        if source_id is not None:
            found.append(_Attribution(source_id, [verb], content, verb))
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
    ordered = sorted(tokens)
    first = next(i for i in ordered if not doc[i].is_punct)
    start, end = doc[first].idx, doc[ordered[-1]].idx + len(doc[ordered[-1]])
    return Span(start=start, end=end, text=state.text[start:end])


_Piece = tuple[set[int], list[str], list[Cue]]  # content tokens, attribution chain, cues


def _pieces(
    state: DocumentState, sentence: TokenSpan, sources: _Sources, outlet: str
) -> list[_Piece]:
    """The claims of one sentence: attributed contents, inferences, and the outlet's rest."""
    attributions = _according_to(sentence, sources) + _reporting(sentence, sources)
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
    for attribution, chain in zip(attributions, chains, strict=True):
        nests_another = any(
            other is not attribution
            and other.cue[0].i in attribution.content
            and other.content < attribution.content
            for other in attributions
        )
        if not nests_another:
            pieces.append((attribution.content, chain, _cues(attribution.cue, "attribution")))
            claimed |= attribution.content
    for cue, content in _inferences(sentence):
        if not content & claimed:
            pieces.append((content, [outlet], _cues([cue], "inference")))
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
        pieces.append((rest, [outlet], []))
    doc = state.parsed
    return sorted(
        (p for p in pieces if any(not doc[i].is_punct for i in p[0])), key=lambda p: min(p[0])
    )


def run(state: DocumentState) -> None:
    sources = _Sources(state)
    outlet = sources.outlet()
    for index, sentence in enumerate(state.parsed.sents):
        for tokens, chain, cues in _pieces(state, sentence, sources, outlet):
            claim_id = f"c{len(state.analysis.claims) + 1}"
            state.analysis.claims.append(
                Claim(
                    id=claim_id,
                    sentence=index,
                    span=_span(state, tokens),
                    attribution=chain,
                    certainty=Certainty.REPORTED if len(chain) > 1 else Certainty.ASSERTED,
                    cues=cues,
                    kind=ClaimKind.OTHER,
                )
            )
            state.claim_tokens[claim_id] = tokens


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
