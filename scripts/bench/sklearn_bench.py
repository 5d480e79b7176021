"""scikit-learn's side of scripts/bench/ml-vs-sklearn.ts: fits one model on a shared Parquet file
and prints one JSON line (fit and predict seconds, peak RSS, holdout AUC and log loss).

    python sklearn_bench.py --model logistic|boosting --train train.parquet --test test.parquet \
        [--C 1.0 --tol 1e-4 --max-iter 100] [--iterations 100 --learning-rate 0.1 --max-leaves 31 \
        --min-samples-leaf 20]

Inputs mirror ours: logistic regression gets standardized numeric columns and sparse one-hot
categories (LogisticRegression, lbfgs); gradient boosting gets raw numbers and ordinal category
codes declared categorical (HistGradientBoostingClassifier, native categorical splits). Airports
unseen in training become missing values on both sides. Encoding is part of the fit time, as it is
in ours (trainModel fits its encoders).
"""

import argparse
import json
import resource
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

NUMERIC = ["hour", "day of week", "distance"]
CATEGORICAL = ["origin", "destination"]
TARGET = "delayed"


def build(arguments):
    if arguments.model == "logistic":
        encode = ColumnTransformer(
            [
                ("numeric", StandardScaler(), NUMERIC),
                ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=True), CATEGORICAL),
            ]
        )
        model = LogisticRegression(C=arguments.C, tol=arguments.tol, max_iter=arguments.max_iter, solver="lbfgs")
        return make_pipeline(encode, model)
    encode = ColumnTransformer(
        [
            ("numeric", "passthrough", NUMERIC),
            (
                "categorical",
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan),
                CATEGORICAL,
            ),
        ]
    )
    model = HistGradientBoostingClassifier(
        max_iter=arguments.iterations,
        learning_rate=arguments.learning_rate,
        max_leaf_nodes=arguments.max_leaves,
        max_depth=None,
        min_samples_leaf=arguments.min_samples_leaf,
        l2_regularization=0.0,
        max_bins=255,
        categorical_features=[len(NUMERIC) + index for index in range(len(CATEGORICAL))],
        early_stopping=False,
        random_state=0,
    )
    return make_pipeline(encode, model)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["logistic", "boosting"], required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--max-leaves", type=int, default=31)
    parser.add_argument("--min-samples-leaf", type=int, default=20)
    arguments = parser.parse_args()

    train = pd.read_parquet(arguments.train)
    test = pd.read_parquet(arguments.test)
    pipeline = build(arguments)
    start, cpu_start = time.perf_counter(), time.process_time()
    pipeline.fit(train[NUMERIC + CATEGORICAL], train[TARGET].to_numpy())
    fit_seconds, fit_cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    start = time.perf_counter()
    probabilities = pipeline.predict_proba(test[NUMERIC + CATEGORICAL])[:, 1]
    predict_seconds = time.perf_counter() - start
    actual = test[TARGET].to_numpy().astype(int)
    iterations = pipeline[-1].n_iter_
    print(
        json.dumps(
            {
                "fitSeconds": fit_seconds,
                "fitCpuSeconds": fit_cpu_seconds,
                "predictSeconds": predict_seconds,
                "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "auc": roc_auc_score(actual, probabilities),
                "logLoss": log_loss(actual, probabilities),
                "iterations": int(np.max(iterations)),
                "rowMicros": None,
            }
        )
    )


if __name__ == "__main__":
    main()
