"""Bosun's ML agent: train, evaluate and predict with scikit-learn, driven by one JSON config.

Run as `python bosun_ml.py CONFIG.json`; writes the config's `result` file (JSON) and exits 0,
or writes {"error": {"code", "message"}} there and exits 2 on a problem with the input.
Data arrives as CSV (Bosun reads lakes, Parquet and SQL with DuckDB and hands over a CSV).
"""
import json
import math
import resource
import sys
import time

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    roc_auc_score,
)
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict, cross_validate, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor


class InputError(Exception):
    """A problem with the data or the config that the user can fix."""


def models_for(task, seed, n_rows, n_jobs):
    # Forests grow on at most 20k rows per tree: the score barely moves, the time drops ~linearly.
    max_samples = None if n_rows <= 20_000 else 20_000 / n_rows
    if task == "classification":
        return {
            "dummy": DummyClassifier(strategy="prior"),
            "logistic": LogisticRegression(max_iter=1000),
            "random_forest": RandomForestClassifier(
                n_estimators=100, min_samples_leaf=2, max_samples=max_samples, n_jobs=n_jobs, random_state=seed
            ),
            "gradient_boosting": HistGradientBoostingClassifier(random_state=seed),
        }
    return {
        "dummy": DummyRegressor(strategy="mean"),
        "linear": LinearRegression(),
        "random_forest": RandomForestRegressor(
            n_estimators=100, min_samples_leaf=2, max_samples=max_samples, n_jobs=n_jobs, random_state=seed
        ),
        "gradient_boosting": HistGradientBoostingRegressor(random_state=seed),
    }


def preprocessor(frame):
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
    categorical = [c for c in frame.columns if c not in numeric]
    return ColumnTransformer(
        [
            ("numeric", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), numeric),
            (
                "categorical",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="most_frequent")),
                        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
                    ]
                ),
                categorical,
            ),
        ]
    )


def infer_task(y):
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return "classification"
    values = y.dropna()
    integral = np.all(np.mod(values, 1) == 0)
    return "classification" if integral and values.nunique() <= 20 else "regression"


def scorers(task, n_classes):
    if task == "regression":
        return {"rmse": "neg_root_mean_squared_error", "mae": "neg_mean_absolute_error", "r2": "r2"}
    binary = n_classes == 2
    return {
        "accuracy": "accuracy",
        "f1": "f1" if binary else "f1_macro",
        "roc_auc": "roc_auc" if binary else "roc_auc_ovr",
        "log_loss": "neg_log_loss",
    }


# Metrics where lower is better; sklearn's scorers return them negated.
LOWER_IS_BETTER = {"rmse", "mae", "log_loss"}


def spread(values):
    values = [float(v) for v in values]
    return {
        "mean": float(np.mean(values)),
        "std": float(np.std(values)),
        "min": float(np.min(values)),
        "max": float(np.max(values)),
        "folds": values,
    }


def load(config):
    frame = pd.read_csv(config["data"])
    target = config["target"]
    if target not in frame.columns:
        raise InputError(f"target '{target}' is not a column; the columns are {', '.join(map(str, frame.columns))}")
    features = config.get("features") or [c for c in frame.columns if c != target]
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise InputError(f"features not in the data: {', '.join(missing)}; the columns are {', '.join(map(str, frame.columns))}")
    frame = frame[frame[target].notna()]
    return frame[features], frame[target], features


def leakage_suspects(x, y, task, seed, threshold):
    """Features that alone predict the target almost perfectly (a shallow tree on that one column)."""
    sample = x.sample(n=min(len(x), 20_000), random_state=seed)
    target = y.loc[sample.index]
    suspects = []
    for column in sample.columns:
        values = sample[[column]]
        if not pd.api.types.is_numeric_dtype(values[column]):
            values = values.astype("category").apply(lambda s: s.cat.codes)
        values = values.fillna(-1e12)
        if task == "classification":
            folds = StratifiedKFold(3, shuffle=True, random_state=seed)
            proba = cross_val_predict(DecisionTreeClassifier(max_depth=4, random_state=seed), values, target, cv=folds, method="predict_proba")
            classes = np.unique(target)
            score = (
                roc_auc_score(target, proba[:, 1])
                if len(classes) == 2
                else accuracy_score(target, classes[np.argmax(proba, axis=1)])
            )
            metric = "roc_auc" if len(classes) == 2 else "accuracy"
        else:
            folds = KFold(3, shuffle=True, random_state=seed)
            predicted = cross_val_predict(DecisionTreeRegressor(max_depth=6, random_state=seed), values, target, cv=folds)
            score, metric = r2_score(target, predicted), "r2"
        if score >= threshold:
            suspects.append({"feature": column, "metric": metric, "score": float(score)})
    return suspects


def train(config):
    started = time.perf_counter()
    x, y, features = load(config)
    task = config.get("task") or infer_task(y)
    if task == "regression" and (not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y)):
        examples = ", ".join(repr(v) for v in y.drop_duplicates().head(3))
        raise InputError(
            f"target '{config['target']}' is not numeric (values such as {examples}): regression needs a numeric target; use task: classification"
        )
    if len(x) < config["cv_folds"] * 2:
        raise InputError(f"{len(x)} rows are too few for {config['cv_folds']}-fold cross-validation")
    seed = config["seed"]
    holdout_rows = 0
    if config.get("holdout"):
        # Rows kept out of training and cross-validation, for ml.evaluate to score the model on.
        keep, held = train_test_split(
            x.index, test_size=config["holdout"], random_state=seed, stratify=y if task == "classification" else None
        )
        frame = pd.read_csv(config["data"])
        frame.loc[held].to_csv(config["holdout_path"], index=False)
        x, y, holdout_rows = x.loc[keep], y.loc[keep], len(held)
    classes = sorted(y.unique().tolist()) if task == "classification" else None
    if classes is not None and len(classes) < 2:
        raise InputError(f"target '{config['target']}' has a single class ({classes[0]!r}): nothing to learn")
    available = models_for(task, seed, len(x), config.get("n_jobs", 1))
    wanted = config.get("models") or list(available)
    unknown = [m for m in wanted if m not in available]
    if unknown:
        raise InputError(f"unknown models {', '.join(unknown)} for {task}; available: {', '.join(available)}")
    if "dummy" not in wanted:
        wanted = ["dummy", *wanted]
    scoring = scorers(task, len(classes) if classes else 0)
    folds = (
        StratifiedKFold(config["cv_folds"], shuffle=True, random_state=seed)
        if task == "classification"
        else KFold(config["cv_folds"], shuffle=True, random_state=seed)
    )
    results = {}
    for name in wanted:
        t = time.perf_counter()
        pipeline = Pipeline([("prepare", preprocessor(x)), ("model", available[name])])
        scores = cross_validate(pipeline, x, y, cv=folds, scoring=scoring, error_score="raise")
        metrics = {}
        for metric in scoring:
            values = scores[f"test_{metric}"]
            metrics[metric] = spread(-values if metric in LOWER_IS_BETTER else values)
        results[name] = {"metrics": metrics, "seconds": time.perf_counter() - t}

    metric = config.get("metric") or ("rmse" if task == "regression" else ("roc_auc" if len(classes) == 2 else "f1"))
    if metric not in scoring:
        raise InputError(f"metric {metric} is not one of {', '.join(scoring)} for {task}")
    lower = metric in LOWER_IS_BETTER
    pick = min if lower else max
    best = pick((m for m in results if m != "dummy"), key=lambda m: results[m]["metrics"][metric]["mean"], default="dummy")
    best_score = results[best]["metrics"][metric]["mean"]
    baseline = results["dummy"]["metrics"][metric]["mean"]

    refit = Pipeline([("prepare", preprocessor(x)), ("model", models_for(task, seed, len(x), config.get("n_jobs", 1))[best])])
    refit.fit(x, y)
    sample = x.sample(n=min(len(x), 2000), random_state=seed)
    scorer = scoring[metric]
    importance = permutation_importance(refit, sample, y.loc[sample.index], scoring=scorer, n_repeats=3, random_state=seed)
    importances = sorted(
        ({"feature": f, "importance": float(m), "std": float(s)} for f, m, s in zip(features, importance.importances_mean, importance.importances_std)),
        key=lambda r: -r["importance"],
    )
    joblib.dump(
        {"pipeline": refit, "task": task, "target": config["target"], "features": features, "classes": classes, "model": best},
        config["model_path"],
    )

    balance = None
    caveats = []
    if classes is not None:
        counts = y.value_counts()
        balance = {str(k): int(v) for k, v in counts.items()}
        minority = counts.min() / counts.sum()
        if minority < config["imbalance_threshold"]:
            caveats.append(
                f"class imbalance: the rarest class ({counts.idxmin()!r}) is {minority:.1%} of the rows; accuracy flatters, read F1 and ROC-AUC"
            )
    suspects = leakage_suspects(x, y, task, seed, config["leak_threshold"])
    for s in suspects:
        caveats.append(
            f"leakage suspect: '{s['feature']}' alone reaches {s['metric']} {s['score']:.3f}; check it is known before the target is"
        )
    lift = best_score - baseline
    result = {
        "task": task,
        "target": config["target"],
        "rows": int(len(x)),
        "holdoutRows": holdout_rows,
        "features": features,
        "classes": [str(c) for c in classes] if classes is not None else None,
        "classBalance": balance,
        "cvFolds": config["cv_folds"],
        "seed": seed,
        "metric": metric,
        "models": results,
        "best": {"model": best, "score": best_score, "baseline": baseline, "lift": lift},
        "featureImportances": importances,
        "leakageSuspects": suspects,
        "caveats": caveats,
        "seconds": time.perf_counter() - started,
        "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    with open(config["card_path"], "w") as out:
        out.write(model_card(config, result))
    return result


def fmt(v):
    return f"{v:.4f}" if isinstance(v, float) and math.isfinite(v) else str(v)


def model_card(config, r):
    lines = [
        f"# Model card: {r['best']['model']} predicting `{r['target']}`",
        "",
        "## Data",
        f"- source: {config.get('source', config['data'])}",
        f"- rows: {r['rows']}; task: {r['task']}"
        + (f"; classes: {', '.join(r['classes'])}" if r["classes"] else ""),
        f"- features ({len(r['features'])}): {', '.join(map(str, r['features']))}",
    ]
    if r["classBalance"]:
        lines.append("- class balance: " + ", ".join(f"{k}: {v}" for k, v in r["classBalance"].items()))
    metrics = list(next(iter(r["models"].values()))["metrics"])
    lines += [
        "",
        f"## Cross-validated metrics ({r['cvFolds']} folds, seed {r['seed']}; mean ± std)",
        "",
        "| model | " + " | ".join(metrics) + " | seconds |",
        "|---|" + "---|" * (len(metrics) + 1),
    ]
    for name, m in r["models"].items():
        cells = [f"{m['metrics'][k]['mean']:.4f} ± {m['metrics'][k]['std']:.4f}" for k in metrics]
        lines.append(f"| {name}{' (best)' if name == r['best']['model'] else ''} | " + " | ".join(cells) + f" | {m['seconds']:.1f} |")
    b = r["best"]
    lines += [
        "",
        f"Selected by {r['metric']}: {b['model']} {fmt(b['score'])} against the dummy baseline's {fmt(b['baseline'])} (lift {b['lift']:+.4f}).",
        "",
        "## Feature importances (permutation, on up to 2000 rows)",
        "",
        "| feature | importance | std |",
        "|---|---|---|",
        *[f"| {i['feature']} | {i['importance']:.4f} | {i['std']:.4f} |" for i in r["featureImportances"][:20]],
        "",
        "## Caveats",
        "",
        *([f"- {c}" for c in r["caveats"]] or ["- none flagged (class imbalance and single-feature leakage were checked)"]),
        "",
    ]
    return "\n".join(lines)


def evaluate(config):
    bundle = joblib.load(config["model_path"])
    frame = pd.read_csv(config["data"])
    target = bundle["target"]
    missing = [c for c in [*bundle["features"], target] if c not in frame.columns]
    if missing:
        raise InputError(f"the data lacks {', '.join(map(str, missing))}, which the model needs")
    frame = frame[frame[target].notna()]
    x, y = frame[bundle["features"]], frame[target]
    pipeline = bundle["pipeline"]
    predicted = pipeline.predict(x)
    result = {"task": bundle["task"], "target": target, "model": bundle["model"], "rows": int(len(x))}
    if bundle["task"] == "classification":
        classes = pipeline.classes_
        proba = pipeline.predict_proba(x)
        metrics = {
            "accuracy": accuracy_score(y, predicted),
            "f1": f1_score(y, predicted, average="binary" if len(classes) == 2 else "macro", pos_label=classes[-1]) if len(classes) == 2 else f1_score(y, predicted, average="macro"),
            "log_loss": log_loss(y, proba, labels=classes),
        }
        if len(np.unique(y)) > 1:
            metrics["roc_auc"] = roc_auc_score(y, proba[:, 1]) if len(classes) == 2 else roc_auc_score(y, proba, multi_class="ovr", labels=classes)
        matrix = pd.crosstab(pd.Series(y, name="actual").astype(str), pd.Series(predicted, name="predicted", index=y.index).astype(str))
        cells = matrix.stack().reset_index(name="count")
        cells.to_csv(config["plot_data"], index=False)
        result["confusionMatrix"] = {"labels": [str(c) for c in matrix.index], "predicted": [str(c) for c in matrix.columns], "counts": matrix.values.tolist()}
    else:
        metrics = {
            "rmse": math.sqrt(mean_squared_error(y, predicted)),
            "mae": mean_absolute_error(y, predicted),
            "r2": r2_score(y, predicted),
        }
        pd.DataFrame({"actual": y, "predicted": predicted, "residual": y - predicted}).to_csv(config["plot_data"], index=False)
    result["metrics"] = {k: float(v) for k, v in metrics.items()}
    return result


def predict(config):
    bundle = joblib.load(config["model_path"])
    frame = pd.read_csv(config["data"])
    missing = [c for c in bundle["features"] if c not in frame.columns]
    if missing:
        raise InputError(f"the data lacks {', '.join(map(str, missing))}, which the model needs")
    pipeline = bundle["pipeline"]
    out = frame.copy()
    out["prediction"] = pipeline.predict(frame[bundle["features"]])
    if bundle["task"] == "classification" and len(pipeline.classes_) == 2:
        out["probability"] = pipeline.predict_proba(frame[bundle["features"]])[:, 1]
    out.to_csv(config["output"], index=False)
    return {"task": bundle["task"], "model": bundle["model"], "rows": int(len(out)), "columns": list(map(str, out.columns))}


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)
    modes = {"train": train, "evaluate": evaluate, "predict": predict}
    try:
        result, code = modes[config["mode"]](config), 0
    except InputError as err:
        result, code = {"error": {"code": "INVALID_INPUT", "message": str(err)}}, 2
    with open(config["result"], "w") as out:
        json.dump(result, out, default=str)
    sys.exit(code)


if __name__ == "__main__":
    main()
