"""MLflow's side of the serving benchmark (scripts/bench/serving.ts).

Trains a scikit-learn model on the same penguins data the platform's model learns from (one-hot
island; imputed, standardized measurements; multinomial logistic regression) and saves it as an
MLflow model that `mlflow models serve` can load.

    python serving_mlflow.py <penguins.json> <model folder>
"""

import json
import sys

import mlflow.sklearn
import pandas as pd
from mlflow.models import infer_signature
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]
CATEGORICAL = ["Island"]


def main(data_path: str, model_folder: str) -> None:
    with open(data_path, encoding="utf-8") as file:
        frame = pd.DataFrame(json.load(file))
    frame = frame[frame["Species"].notna()]
    features = frame[CATEGORICAL + NUMERIC]
    model = Pipeline(
        [
            (
                "encode",
                ColumnTransformer(
                    [
                        ("island", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
                        ("measurements", make_pipeline(SimpleImputer(), StandardScaler()), NUMERIC),
                    ]
                ),
            ),
            ("classify", LogisticRegression(C=1000, max_iter=1000)),
        ]
    )
    model.fit(features, frame["Species"])
    signature = infer_signature(features, model.predict(features))
    # MLflow 3 stores scikit-learn models with skops, which asks to trust the types it loads.
    mlflow.sklearn.save_model(model, model_folder, signature=signature, skops_trusted_types=["numpy.dtype"])
    print(json.dumps({"rows": len(frame), "trainingAccuracy": float(model.score(features, frame["Species"]))}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
