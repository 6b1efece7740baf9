"""What the stages read and never change: the spaCy pipelines, the lexicons' terms, the
gazetteer, the source registry and the learned models. One `Resources` object is passed to
the pipeline (each document's state carries it); each member is built the first time a stage
asks for it, so fast mode never runs spaCy's statistical model and a process that analyses
no Russian never loads natasha. Tests and tools may pass their own."""

from __future__ import annotations

from functools import cache, cached_property
from typing import TYPE_CHECKING

from sitreps import lexicons, nlp
from sitreps.matching import LabelledTerms
from sitreps.model import Mode

if TYPE_CHECKING:
    from spacy.language import Language

    from sitreps.attribution_model import Ensemble
    from sitreps.event_classifier import EventClassifier
    from sitreps.gazetteer import Gazetteer
    from sitreps.place_confidence import Calibration
    from sitreps.place_ranker import Ranker
    from sitreps.registry import Registry


class Resources:
    @cached_property
    def language(self) -> Language:
        """spaCy's English pipeline (`$SITREPS_SPACY_MODEL`); its vocabulary is every
        Doc's, fast mode's and Russian or Ukrainian ones included."""
        return nlp.load()

    @cached_property
    def rules(self) -> Language:
        """Fast mode's tokenizer and sentencizer: no statistical component."""
        from sitreps import surface

        return surface.load()

    @cached_property
    def terms(self) -> LabelledTerms:
        """Every lexicon list the stages look for, found in one pass (the terms stage)."""
        return LabelledTerms(self.language, lexicons.matched_terms())

    @cached_property
    def gazetteer(self) -> Gazetteer:
        from sitreps.gazetteer import open_gazetteer

        return open_gazetteer()

    @property
    def registry(self) -> Registry:
        """The sources' registry: the shipped one with the user's file ($SITREPS_SOURCES,
        read once per file)."""
        from sitreps import registry

        return registry.default()

    @cached_property
    def attribution_tagger(self) -> Ensemble:
        from sitreps import attribution_model

        return attribution_model.shipped()

    @cached_property
    def place_ranker(self) -> Ranker:
        from sitreps import place_ranker

        return place_ranker.shipped()

    @cached_property
    def place_confidence(self) -> Calibration:
        from sitreps import place_confidence

        return place_confidence.shipped()

    def event_classifier(self, mode: Mode) -> EventClassifier:
        """The event-type classifier of the mode: fast mode's reads no sentence embedding."""
        from sitreps import event_classifier

        return event_classifier.shipped(embedded=mode is Mode.FULL)


@cache
def shared() -> Resources:
    """The process's resources, where none are passed."""
    return Resources()
